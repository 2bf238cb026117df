import {
  childDiscovery,
  entitySlug,
  hubDiscovery,
  nodeIdOf,
  pcDiscovery,
  type DiscoveryContext,
} from './ha-discovery';

const ctx: DiscoveryContext = {
  topics: { base: 'kidtime', discoveryPrefix: 'homeassistant' },
  installationId: 'a1b2c3d4e5',
  hubVersion: '0.5.0',
  publicUrl: 'http://hub.home:8080',
};
const CHILD = '5f0c2b1e-8d7a-4e44-9a31-0c9e3d2b7a10';
const PC = '0b6c3a52-52a4-4c4e-9a4b-2f7f3f7f0a01';

describe('Home Assistant discovery', () => {
  const child = childDiscovery(ctx, { id: CHILD, name: 'Zoë' });
  const pc = pcDiscovery(ctx, { id: PC, name: 'Gaming PC', agentVersion: '0.5.0' });
  const hub = hubDiscovery(ctx);

  it('publishes one device config per child, PC and hub under the discovery prefix', () => {
    expect(child.topic).toBe(`homeassistant/device/kidtime_a1b2c3d4e5_child_${CHILD}/config`);
    expect(pc.topic).toBe(`homeassistant/device/kidtime_a1b2c3d4e5_pc_${PC}/config`);
    expect(hub.topic).toBe('homeassistant/device/kidtime_a1b2c3d4e5_hub/config');
    for (const d of [child, pc, hub]) {
      expect(d.payload.dev.ids).toEqual([d.nodeId]);
      expect(d.payload.o).toEqual({ name: 'Kidtime', sw: '0.5.0' });
      expect(nodeIdOf(ctx.topics, d.topic)).toBe(d.nodeId);
    }
    expect(child.payload.dev).toMatchObject({ name: 'Zoë', via_device: hub.nodeId });
    expect(pc.payload.dev).toMatchObject({ name: 'Gaming PC', sw: '0.5.0', via_device: hub.nodeId });
  });

  it('gives every component a platform, a unique id and a default entity id of its platform', () => {
    const all = [child, pc, hub].flatMap((d) => Object.values(d.payload.cmps));
    const ids = all.map((c) => c.unique_id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of all) {
      expect(c.default_entity_id).toMatch(new RegExp(`^${c.p}\\.kidtime_[a-z0-9_]+$`));
      expect(c).not.toHaveProperty('object_id');
    }
    expect(child.payload.cmps.time_left!.default_entity_id).toBe('sensor.kidtime_zoe_time_left');
  });

  it('has the child controls the issue asks for, with units and device classes', () => {
    const c = child.payload.cmps;
    expect(Object.keys(c).sort()).toEqual(
      [
        'active',
        'add_15',
        'add_30',
        'lock',
        'pcs',
        'runs_out_at',
        'set_time_left',
        'subtract_15',
        'time_left',
        'time_spent',
      ].sort(),
    );
    expect(c.time_left).toMatchObject({ p: 'sensor', device_class: 'duration', unit_of_measurement: 'min' });
    expect(c.time_spent).toMatchObject({ device_class: 'duration', state_class: 'total_increasing' });
    expect(c.runs_out_at).toMatchObject({ device_class: 'timestamp' });
    expect(c.set_time_left).toMatchObject({
      p: 'number',
      min: 0,
      max: 1440,
      mode: 'box',
      unit_of_measurement: 'min',
      command_topic: `kidtime/ha/child/${CHILD}/cmd/set`,
    });
    expect(c.add_30).toMatchObject({
      p: 'button',
      command_topic: `kidtime/ha/child/${CHILD}/cmd/add`,
      payload_press: '30',
    });
    expect(c.subtract_15).toMatchObject({
      command_topic: `kidtime/ha/child/${CHILD}/cmd/subtract`,
      payload_press: '15',
    });
    expect(c.lock).toMatchObject({ command_topic: `kidtime/ha/child/${CHILD}/cmd/lock` });
  });

  it('makes entities available while the hub is, except the hub’s own connection state', () => {
    for (const d of [child, pc])
      for (const c of Object.values(d.payload.cmps))
        expect(c.availability).toEqual([
          { topic: 'kidtime/hub/status', payload_available: 'online', payload_not_available: 'offline' },
        ]);
    expect(hub.payload.cmps.connected).toMatchObject({
      device_class: 'connectivity',
      state_topic: 'kidtime/hub/status',
      payload_on: 'online',
    });
    expect(hub.payload.cmps.connected).not.toHaveProperty('availability');
  });

  it('has a PC’s connectivity, last seen and agent version', () => {
    expect(pc.payload.cmps.online).toMatchObject({ p: 'binary_sensor', device_class: 'connectivity' });
    expect(pc.payload.cmps.last_seen).toMatchObject({
      device_class: 'timestamp',
      entity_category: 'diagnostic',
    });
    expect(pc.payload.cmps.agent_version).toMatchObject({ p: 'sensor', entity_category: 'diagnostic' });
  });

  it('links to the hub only when its address is known', () => {
    expect(child.payload.dev.cu).toBe(`http://hub.home:8080/#/child/${CHILD}`);
    expect(hubDiscovery({ ...ctx, publicUrl: null }).payload.dev).not.toHaveProperty('cu');
  });

  it('makes entity ids from names, whatever the script', () => {
    expect(entitySlug('  Anna-Lena 2 ', CHILD)).toBe('anna_lena_2');
    expect(entitySlug('Ελένη', CHILD)).toBe('5f0c2b1e');
    expect(entitySlug('x'.repeat(100), CHILD)).toHaveLength(40);
  });

  it('recognises only device discovery topics', () => {
    expect(nodeIdOf(ctx.topics, 'homeassistant/sensor/x/config')).toBeNull();
    expect(nodeIdOf(ctx.topics, 'homeassistant/device/a/b/config')).toBeNull();
    expect(nodeIdOf(ctx.topics, 'other/device/x/config')).toBeNull();
  });
});
