-- 002: the columns the Grafana duty desk and service-quality dashboards query (issue 5).
-- Additive and nullable: nothing writes them yet. The cases issue (levels, dispatch, escalation, workers,
-- stations, deadlines, on-site arrival, satisfaction follow-up) fills them; until then panels show gaps.

-- Where the resident lives, WGS 84 degrees: the duty desk's geomap of residents with open cases.
ALTER TABLE residents
  ADD COLUMN lat double precision CHECK (lat BETWEEN -90 AND 90),
  ADD COLUMN lon double precision CHECK (lon BETWEEN -180 AND 180);

ALTER TABLE cases
  -- Escalation level 1..3 (1 = guardian, 2 = community worker, 3 = emergency services).
  ADD COLUMN level smallint CHECK (level BETWEEN 1 AND 3),
  -- The worker the case is dispatched to, and that worker's station (service centre).
  ADD COLUMN assignee text,
  ADD COLUMN station text,
  -- When the case must be acknowledged by; an open case past it is highlighted on the duty desk.
  ADD COLUMN ack_deadline_at timestamptz,
  -- When the worker reported arriving at the home.
  ADD COLUMN on_site_at timestamptz,
  -- The resident's or guardian's rating of the response, 1..5.
  ADD COLUMN satisfaction smallint CHECK (satisfaction BETWEEN 1 AND 5);

CREATE INDEX cases_open_idx ON cases (opened_at) WHERE status = 'open';
