/**
 * Options of the one socket.io server the hub runs. Nest creates it for whichever gateway it sets up first
 * and ignores these options on the others, so every gateway passes the same object with its namespace.
 * Agents are the reason for the values: a vanished PC is noticed within 20 s, and a state report of 200 users
 * fits in a message.
 */
export const SOCKET_SERVER_OPTIONS = {
  pingInterval: 10_000,
  pingTimeout: 10_000,
  maxHttpBufferSize: 1_000_000,
} as const;
