import { ThresholdsConfigBuilder, ThresholdsMode } from '@grafana/grafana-foundation-sdk/dashboard';

/** Green below `warn`, orange from `warn`, red from `alert`. */
export function trafficLight(warn: number, alert: number): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
    { value: null, color: 'green' },
    { value: warn, color: 'orange' },
    { value: alert, color: 'red' },
  ]);
}

/** Grid position helper: 24 columns wide. */
export const at = (x: number, y: number, w: number, h: number) => ({ x, y, w, h });
