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

/**
 * The web console's address (the cloud's publicUrl), a text box on the dashboards that link into it
 * (issue 19): set it once per Grafana; the default is the cloud's default publicUrl.
 */
export const CONSOLE_URL_VARIABLE = 'console_url';
export const CONSOLE_URL_DEFAULT = 'http://127.0.0.1:8080';

/** A table column whose value opens a console page: `/console/<path>/<value>` in a new tab. */
export function consoleLink(title: string, path: 'cases' | 'residents') {
  return {
    id: 'links',
    value: [{ title, url: `\${${CONSOLE_URL_VARIABLE}}/console/${path}/\${__value.raw}`, targetBlank: true }],
  };
}
