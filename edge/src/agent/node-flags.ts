/**
 * V8 flags the agent runs with (systemd unit, test harness, bench; bin/anju-gw.js's shebang repeats them —
 * a test keeps the two in step). The agent allocates little and slowly (a 50 Hz band, a few MQTT messages),
 * but V8's default young generation on 64-bit grows to 2 × 16 MB semi-spaces during start-up (module
 * loading, the model) and keeps them committed until a later GC shrinks them: measured on the agent
 * without Node-RED, RSS at "gateway ready" 171 MB by default, 135 MB with 2 MB semi-spaces. Scavenges are
 * more frequent and smaller; idle CPU was 0.4–0.9 % of a core either way on the loaded 2-core dev VM.
 */
export const AGENT_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];
