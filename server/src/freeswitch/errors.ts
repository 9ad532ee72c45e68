// One error class per way a switch command can fail, so callers can tell them apart.

export class FreeSwitchError extends Error {
  constructor(
    message: string,
    readonly node: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** No answer within the command timeout. The connection may be wedged; the node decides. */
export class FreeSwitchTimeout extends FreeSwitchError {}

/** The connection closed (or was never up) while the command was pending. */
export class FreeSwitchDisconnected extends FreeSwitchError {}

/** FreeSWITCH answered "-ERR ...". */
export class FreeSwitchCommandError extends FreeSwitchError {
  constructor(
    readonly reply: string,
    node: string,
    readonly command: string,
  ) {
    super(`${command.split(' ')[0]}: ${reply}`, node);
  }
}
