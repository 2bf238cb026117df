import { filterWithin, parseChildCommandTopic, topicsOverlap } from './ha-topics';

const T = { base: 'kidtime', discoveryPrefix: 'homeassistant' };
const CHILD = '5f0c2b1e-8d7a-4e44-9a31-0c9e3d2b7a10';

describe('Home Assistant topics', () => {
  it('parses child command topics and nothing else', () => {
    expect(parseChildCommandTopic(T, `kidtime/ha/child/${CHILD}/cmd/add`)).toEqual({
      childId: CHILD,
      action: 'add',
    });
    for (const topic of [
      `kidtime/ha/child/${CHILD}/cmd/explode`,
      `kidtime/ha/child/${CHILD}/state`,
      `kidtime/ha/child/${CHILD}/cmd/add/more`,
      `kidtime/ha/child/${CHILD.toUpperCase()}/cmd/add`,
      `other/ha/child/${CHILD}/cmd/add`,
    ])
      expect(parseChildCommandTopic(T, topic)).toBeNull();
  });

  it('tells whether a filter stays under a root', () => {
    expect(filterWithin('homeassistant/#', 'homeassistant')).toBe(true);
    expect(filterWithin('homeassistant', 'homeassistant')).toBe(true);
    expect(filterWithin('+/status', 'homeassistant')).toBe(false);
    expect(filterWithin('#', 'homeassistant')).toBe(false);
    expect(filterWithin('homeassistantx/#', 'homeassistant')).toBe(false);
  });

  it('finds base topics and prefixes that overlap', () => {
    expect(topicsOverlap('kidtime', 'kidtime')).toBe(true);
    expect(topicsOverlap('home/kids', 'home')).toBe(true);
    expect(topicsOverlap('kidtime', 'kidtime2')).toBe(false);
  });
});
