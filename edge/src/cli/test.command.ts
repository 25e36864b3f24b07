import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { agentTopics } from '../agent/agent-status.ts';
import type { TestHop } from '../agent/test-request.ts';
import { READ_CONFIG_HELP } from './config-path.ts';
import { CliExit, connectLocal, locateAgent } from './local-agent.ts';

const HOPS = ['raised', 'delivered'] as const;
const HOP_TEXT: Record<(typeof HOPS)[number], string> = {
  raised: 'raised: the test event is on disk in the outbox',
  delivered: 'delivered: the cloud stored it (PUBACK after its commit)',
};

export function registerTest(program: Command, localPort: (v: string) => number): void {
  program
    .command('test')
    .description('raise a synthetic test event end to end: agent → outbox on disk → cloud')
    .option('-c, --config <file>', READ_CONFIG_HELP)
    .option('--local-port <port>', 'port of the local broker (overrides localBroker.port)', localPort)
    .option('--timeout-s <s>', 'how long to wait for each hop', Number, 20)
    .addHelpText(
      'after',
      '\nThe event is an info-level device_health event marked test: true. The cloud opens a case marked\n' +
        '"test" and notifies nobody. The cloud sends no acknowledgement command for test events: its PUBACK,\n' +
        'sent only after the event is committed to its database, IS the acknowledgement (hop "delivered").\n' +
        '\nExit codes:\n  0  every hop happened\n  1  a hop did not happen in time (the message says which), or the agent is not running\n' +
        '  2  bad arguments or config',
    )
    .action(async (opts: { config?: string; localPort?: number; timeoutS: number }) => {
      const { url } = locateAgent(opts.config, opts.localPort);
      const client = await connectLocal(url, 5000);
      const requestId = randomUUID();
      const topic = agentTopics.testHops(requestId);
      const seen: TestHop[] = [];
      const started = Date.now();
      try {
        await client.subscribeAsync(topic, { qos: 0 });
        let wake: () => void = () => {};
        client.on('message', (t, payload) => {
          if (t !== topic) return;
          try {
            seen.push(JSON.parse(payload.toString()) as TestHop);
          } catch {
            return;
          }
          wake();
        });
        await client.publishAsync(agentTopics.testRequest, JSON.stringify({ requestId }), { qos: 0 });
        console.log(`test request ${requestId} sent to the agent at ${url}`);
        let eventId: string | undefined;
        for (const name of HOPS) {
          const hop = await new Promise<TestHop | undefined>((resolve) => {
            const check = () => {
              const h = seen.find((x) => x.hop === name || x.hop === 'failed');
              if (h) {
                clearTimeout(timer);
                resolve(h);
              }
            };
            const timer = setTimeout(() => resolve(undefined), opts.timeoutS * 1000);
            wake = check;
            check();
          });
          if (!hop)
            throw new CliExit(
              1,
              `hop "${name}" did not happen within ${opts.timeoutS} s` +
                (name === 'raised'
                  ? ' (is this agent new enough to answer test requests?)'
                  : ' (the event waits in the outbox: is the cloud link up? see `anju-gw status`)'),
            );
          if (hop.hop === 'failed') throw new CliExit(1, `the agent could not raise the event: ${hop.error}`);
          if ('eventId' in hop) eventId = hop.eventId;
          console.log(`  ✓ ${HOP_TEXT[name]}  +${Date.now() - started} ms`);
        }
        console.log(`test event ${eventId} went end to end in ${Date.now() - started} ms`);
      } finally {
        await client.endAsync(true);
      }
    });
}
