// The ESL wire-protocol layer of fsim: what other layers and tests import.
export { startInboundServer } from './inbound-server.ts';
export type { InboundServer, InboundServerOptions } from './inbound-server.ts';
export { createOutboundConnector } from './outbound-connector.ts';
export type { OutboundConnectorOptions } from './outbound-connector.ts';
export { CommandFrameParser, DEFAULT_MAX_FRAME, frameHeader } from './frame-parser.ts';
export type { CommandFrame, FrameParserOptions } from './frame-parser.ts';
export {
  AUTH_REQUEST,
  GOODBYE,
  apiResponse,
  commandReply,
  disconnectNotice,
  eventFrame,
  lingerNotice,
  serializeJson,
  serializePlain,
  serializeXml,
} from './serialize.ts';
export type { EventFormat } from './serialize.ts';
export { fsUrlEncode } from './url-encode.ts';
export { EVENT_NAMES, nameEvent } from './event-names.ts';
