// Tests of the wire checks for the messages whose shape carries the HA and Admin-Sync decisions.

import { expect } from 'chai';
import { encodeWire, parseWire, type WireMsg } from './wire.js';

describe('wire messages', () => {
  it('round-trips heartbeat and Admin-Sync messages', () => {
    const msgs: WireMsg[] = [
      { t: 'hb', beat: 3, fromRole: 'ACTIVE', primaryLost: true, roleSeq: 2, epoch: 'e1' },
      { t: 'hb-ans', beat: 3, role: 'ACTIVE', demandStandby: true },
      { t: 'hb-ans', beat: 4, role: 'STANDBY', resumeActive: true },
      { t: 'as-hello', node: 'cms-secondary', role: 'STANDBY', lastApplied: 4, version: '16.4.0' },
      { t: 'as-change', origin: 'cms-secondary', seq: 5, object: 'vdn 1', value: 'skill 3' },
      { t: 'as-resolve', object: 'vdn 1', winner: 'cms-secondary', value: 'skill 3', lost: 'skill 4', primarySeq: 2, secondarySeq: 5 },
      { t: 'as-resolved', object: 'vdn 1', primarySeq: 2, secondarySeq: 5 },
      { t: 'as-ack', origin: 'cms-primary', seq: 5 },
    ];
    for (const m of msgs) expect(parseWire(encodeWire(m).trim())).to.deep.equal(m);
  });

  it('drops a heartbeat without primaryLost, roleSeq or epoch, and Admin-Sync messages without a CMS origin', () => {
    expect(parseWire('{"t":"hb","beat":1,"fromRole":"STANDBY"}')).to.equal(null);
    expect(parseWire('{"t":"hb","beat":1,"fromRole":"STANDBY","primaryLost":false,"roleSeq":0,"epoch":""}')).to.equal(null);
    expect(parseWire('{"t":"hb","beat":1,"fromRole":"STANDBY","primaryLost":false,"epoch":"e"}')).to.equal(null);
    expect(parseWire('{"t":"as-change","seq":1,"object":"x","value":"y"}')).to.equal(null);
    expect(parseWire('{"t":"as-change","origin":"cms-primary","seq":1,"object":"","value":"y"}')).to.equal(null);
    expect(parseWire('{"t":"as-ack","origin":"cm","seq":1}')).to.equal(null);
    expect(parseWire('{"t":"as-hello","node":"cms-primary","role":"ACTIVE"}')).to.equal(null);
    expect(parseWire('{"t":"as-hello","node":"cms-primary","role":"ACTIVE","lastApplied":0,"version":"new"}')).to.equal(null);
    expect(parseWire('{"t":"as-hello","node":"cms-primary","role":"ACTIVE","lastApplied":0}')).to.deep.include({ version: '16.4.0' });
  });
});
