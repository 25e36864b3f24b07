import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type { Dashboard, DashboardBuilder, Panel } from '@grafana/grafana-foundation-sdk/dashboard';
import type { PanelQuery, QueryTarget } from './panel-query.ts';

/** A panel builder of any visualisation: they all share these methods. */
interface AnyPanelBuilder extends cog.Builder<Panel> {
  withTarget(target: cog.Builder<cog.Dataquery>): this;
}

/** One query of one panel, as the tests see it. */
export interface RecordedQuery extends PanelQuery {
  readonly panel: string;
}

export interface BuiltDashboard {
  /** File name under dashboards/generated/. */
  readonly file: string;
  readonly dashboard: Dashboard;
  /** Every panel and variable query with the shape of rows it needs. */
  readonly queries: readonly RecordedQuery[];
}

/** Collects panels and their queries while a dashboard is being built. */
export class DashboardDraft {
  readonly queries: RecordedQuery[] = [];

  constructor(readonly builder: DashboardBuilder) {}

  /** Adds `panel` with its queries; `title` keys the queries for the tests (panel titles are unique). */
  panel<P extends AnyPanelBuilder>(title: string, panel: P, targets: readonly QueryTarget[]): this {
    for (const t of targets) {
      panel.withTarget(t);
      this.queries.push({ ...t.query, panel: title });
    }
    this.builder.withPanel(panel);
    return this;
  }

  /** Records a variable's query (the variable itself is added to the builder by the caller). */
  variableQuery(name: string, query: QueryTarget): this {
    this.queries.push({ ...query.query, panel: `$${name}` });
    return this;
  }

  build(file: string): BuiltDashboard {
    return { file, dashboard: this.builder.build(), queries: this.queries };
  }
}
