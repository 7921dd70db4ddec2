export {
  dutyRoster,
  singletonChannel,
  type Duty,
  type SingletonChannel,
  type SingletonChannelDeps,
  type SingletonState,
} from "./duties.js";
export { periodicDuty } from "./periodic.js";
