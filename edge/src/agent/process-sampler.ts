/** RSS and CPU share of this process since the previous sample (for heartbeats and benchmarks). */
export class ProcessSampler {
  private lastCpu = process.cpuUsage();
  private lastAt = process.hrtime.bigint();

  sample(): { rssMb: number; cpuPct: number } {
    const cpu = process.cpuUsage();
    const at = process.hrtime.bigint();
    const cpuUs = cpu.user - this.lastCpu.user + (cpu.system - this.lastCpu.system);
    const wallUs = Number(at - this.lastAt) / 1000;
    this.lastCpu = cpu;
    this.lastAt = at;
    return {
      rssMb: Math.round((process.memoryUsage.rss() / 2 ** 20) * 10) / 10,
      cpuPct: wallUs > 0 ? Math.round((cpuUs / wallUs) * 1000) / 10 : 0,
    };
  }
}
