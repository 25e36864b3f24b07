import { describe, expect, it } from 'vitest';
import { mapSensor } from './sensor.mapper.ts';

describe('mapSensor', () => {
  it.each([
    ['Entrance_Maindoor_Magnetic', 'front_door', 'contact'],
    ['Kitchen_Fridge_Magnetic', 'cupboard', 'contact'],
    ['Entrance_Frontdoor_Magnetic', 'front_door', 'contact'],
    ['Hall_Door_Magnetic', 'front_door', 'contact'],
    ['Kitchen_Backdoor_Magnetic', 'front_door', 'contact'],
    // A hall door named after the room it leads to is an interior door (van Kasteren's hall).
    ['Hall_BathroomDoor_Magnetic', 'door', 'contact'],
    ['Hall_ToiletDoor_Magnetic', 'door', 'contact'],
    ['Entrance_Shoecabinet_Magnetic', 'cupboard', 'contact'],
    ['Bedroom_Door_PIR', 'motion', 'motion'],
    ['Bathroom_Toilet_Flush', 'toilet_flush', 'presence'],
    ['Bedroom_Bed_Pressure', 'bed', 'presence'],
    ['Living_Seat_Pressure', 'seat', 'presence'],
    ['Kitchen_Microwave_Electric', 'kitchen_appliance', 'power'],
    ['Kitchen_Cooktop_Electric', 'cooker', 'power'],
    ['Kitchen_Freezer_Electric', 'fridge', 'power'],
    ['Garage_Pump_Electric', 'periodic_appliance', 'power'],
  ])('%s → %s (%s)', (name, role, metric) => {
    const m = mapSensor(name);
    expect(m?.device.role).toBe(role);
    expect(m?.toReading(1, true).metric).toBe(metric);
  });

  it('leaves unknown sensor types unmapped', () => {
    expect(mapSensor('Kitchen_Window_Temperature')).toBeUndefined();
  });
});
