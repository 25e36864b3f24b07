// anju publish: msg.payload (JSON) on the local broker, on the node's topic or msg.topic — reminders,
// speaker messages, band vibration, state. Never on home/agent/events: events go through anju out.
module.exports = (RED) => {
  function AnjuPublishNode(config) {
    RED.nodes.createNode(this, config);
    const bridge = RED.settings.anjuBridge;
    const topic = config.topic || '';
    // Flow env variables may appear in the topic, e.g. home/${BAND}/vibrate.
    const fixed = /\$\{[^}]+\}/.test(topic) ? RED.util.evaluateNodeProperty(topic, 'env', this) : topic;
    this.on('input', (msg, _send, done) => {
      if (!bridge) return done(new Error('anju publish: not running inside the Anju gateway'));
      try {
        const to = fixed || msg.topic;
        bridge.publish(to, msg.payload);
        this.status({ fill: 'green', shape: 'dot', text: `${to} ${new Date().toLocaleTimeString()}` });
        done();
      } catch (err) {
        this.status({ fill: 'red', shape: 'ring', text: err.message });
        done(err);
      }
    });
  }
  RED.nodes.registerType('anju publish', AnjuPublishNode);
};
