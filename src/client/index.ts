/**
 * @module client
 * The IPC client of the Troupe daemon (package entry `troupe/client`). It imports only the
 * protocol, the error registry, node:net and msgpackr. The daemon and its socket come in a later
 * issue; today this entry exposes the error helpers a client needs.
 */
export { TroupeError, fromErrorRecord } from '../errors.js';
export type { ErrorCode, ErrorRecord } from '../errors.js';
