import type { EnrolmentResponse } from '../../../contracts/src/index.ts';
import { EXIT } from './exit-codes.ts';
import { CliExit } from './local-agent.ts';

/** What the cloud's POST /enrol returns. */
export type Enrolment = EnrolmentResponse;

/** A refusal the installer can act on: a missing resident is asked for and retried, the others end init. */
export class ResidentRequired extends Error {}

/** The cloud's refusal codes → exit code and a bilingual message that says what to do. */
const REFUSALS: Record<string, (retryAfterS: string | null) => [number, string]> = {
  CLOUD_ENROL_CODE_INVALID: () => [
    EXIT.codeInvalid,
    '注册码无效，请与值班台核对。 / The enrolment code is not valid: check it with the duty desk.',
  ],
  CLOUD_ENROL_CODE_EXPIRED: () => [
    EXIT.codeExpired,
    '注册码已过期，请向值班台申请新的注册码。 / The enrolment code has expired: ask the duty desk for a new one.',
  ],
  CLOUD_ENROL_CODE_USED: () => [
    EXIT.codeUsed,
    '注册码已被使用（每个注册码只能用一次），请向值班台申请新的注册码。 / The enrolment code has already been used (each code works once): ask the duty desk for a new one.',
  ],
  CLOUD_ENROL_RATE_LIMITED: (after) => [
    EXIT.rateLimited,
    `失败次数过多，请${after ? ` ${after} 秒后` : '稍后'}再试。 / Too many failed attempts from this address: try again${after ? ` in ${after} s` : ' later'}.`,
  ],
};

/** Trades the code for the gateway's credentials; every failure becomes a CliExit with its exit code. */
export async function enrolWithCloud(
  cloudUrl: string,
  body: { code: string; gatewayName?: string | undefined; residentId?: string | undefined },
  timeoutMs: number,
): Promise<Enrolment> {
  const url = new URL('enrol', cloudUrl.endsWith('/') ? cloudUrl : `${cloudUrl}/`).toString();
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why =
      e.name === 'TimeoutError'
        ? `no answer within ${timeoutMs / 1000} s`
        : (e.cause?.code ?? e.cause?.message ?? e.message);
    throw new CliExit(
      EXIT.unreachable,
      `无法连接云端 ${cloudUrl}（${why}），请检查网址和网络。 / Cannot reach the cloud at ${cloudUrl} (${why}): check the URL and the network.`,
    );
  }
  const text = await res.text();
  let answer: Record<string, unknown> = {};
  try {
    answer = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* judged below */
  }
  if (res.status === 201 && typeof answer.secret === 'string' && typeof answer.gatewayId === 'string')
    return answer as unknown as Enrolment;
  const code = typeof answer.code === 'string' ? answer.code : undefined;
  const refusal = code ? REFUSALS[code] : undefined;
  if (refusal) {
    const [exitCode, message] = refusal(res.headers.get('retry-after'));
    throw new CliExit(exitCode, message);
  }
  if (code === 'CLOUD_ENROL_RESIDENT_REQUIRED') throw new ResidentRequired(String(answer.message));
  if (res.status >= 400 && res.status < 500 && code)
    throw new CliExit(EXIT.usage, `云端拒绝 / The cloud refused: ${String(answer.message)} (${code})`);
  throw new CliExit(
    EXIT.unreachable,
    `云端的回答不是注册结果（HTTP ${res.status}），${cloudUrl} 是安居云端的地址吗？ / The cloud's answer is not an enrolment (HTTP ${res.status}${code ? ` ${code}` : ''}): is ${cloudUrl} the Anju cloud API?`,
  );
}
