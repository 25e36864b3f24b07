// anju in: messages from the gateway's local broker (readings `home/<device>/<metric>`, events
// `home/agent/events`). Thin: the subscription goes through the bridge the gateway passes in settings
// (edge/src/nodered/anju.bridge.ts), which checks the filter.
module.exports = (RED) => {
  function AnjuInNode(config) {
    RED.nodes.createNode(this, config);
    const bridge = RED.settings.anjuBridge;
    if (!bridge) {
      this.status({ fill: 'red', shape: 'ring', text: 'no gateway' });
      return;
    }
    // `${BAND}` and other flow env variables may appear inside the filter, e.g. home/${BAND}/button.
    const topic = config.topic || '';
    const filter = /\$\{[^}]+\}/.test(topic) ? RED.util.evaluateNodeProperty(topic, 'env', this) : topic;
    try {
      const unsubscribe = bridge.subscribe(filter, (topic, payload) => this.send({ topic, payload }));
      this.status({ fill: 'green', shape: 'dot', text: filter });
      this.on('close', () => unsubscribe());
    } catch (err) {
      this.status({ fill: 'red', shape: 'ring', text: 'bad topic' });
      this.error(err);
    }
  }
  RED.nodes.registerType('anju in', AnjuInNode);
};
