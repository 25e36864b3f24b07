// anju out: msg.payload { kind, severity, evidence, occurredAt? } → an event raised through the gateway's
// durable outbox, exactly like the agent's own events. The bridge validates against the contract
// (edge/src/nodered/anju-out.request.ts); a bad payload ends in done(err), so a Catch node sees it.
// On success msg.eventId is set and msg is passed on.
module.exports = (RED) => {
  function AnjuOutNode(config) {
    RED.nodes.createNode(this, config);
    const bridge = RED.settings.anjuBridge;
    this.on('input', (msg, send, done) => {
      if (!bridge) return done(new Error('anju out: not running inside the Anju gateway'));
      bridge.raise(msg.payload, { nodeId: this.id, nodeName: config.name || undefined }).then(
        ({ eventId }) => {
          this.status({
            fill: 'green',
            shape: 'dot',
            text: `${msg.payload.kind} ${new Date().toLocaleTimeString()}`,
          });
          msg.eventId = eventId;
          send(msg);
          done();
        },
        (err) => {
          this.status({ fill: 'red', shape: 'ring', text: err.code || 'error' });
          done(err);
        },
      );
    });
  }
  RED.nodes.registerType('anju out', AnjuOutNode);
};
