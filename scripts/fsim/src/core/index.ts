// Public surface of the switch model.
export { Switch } from './switch.ts';
export type { SwitchOptions } from './switch.ts';
export { RealClock, VirtualClock, formatGmt, formatLocal } from './clock.ts';
export type { Clock, RealClockOptions } from './clock.ts';
export { defaultConfig, simpleExpand } from './config.ts';
export type { SwitchConfig, SofiaProfileConfig, GatewayConfig, EndpointBehaviour, Router, Expander, Logger } from './config.ts';
export type { EndpointEvent, EndpointEventListener, PlaceCallOptions } from './endpoints.ts';
