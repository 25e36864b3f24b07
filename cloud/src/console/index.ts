export { type CaseFeed, createCaseFeed } from './case-feed.ts';
export { consoleAuthRoutes } from './console-auth.routes.ts';
export {
  type ConsoleUser,
  type ConsoleUsersRepository,
  createConsoleUsersRepository,
  principalOfUser,
} from './console-users.repository.ts';
export { LINK_HEADER, linkRoutes } from './link.routes.ts';
export { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.ts';
export { createQueueRepository, type QueueItem, type QueueRepository } from './queue.repository.ts';
export { queueRoutes } from './queue.routes.ts';
export { CSRF_HEADER, createSessionAuth, SESSION_COOKIE } from './session-cookie.ts';
export {
  createLinkSigner,
  LINK_TTL_S,
  type LinkClaims,
  LinkError,
  type LinkSigner,
} from './signed-link.ts';
export { CONSOLE_DIST, consoleStaticRoutes } from './static.routes.ts';
export { PHONE_IN_GATEWAY, workflowRoutes } from './workflow.routes.ts';
