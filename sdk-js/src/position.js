// The position gate: whether the employee's position (jabatan) qualifies, as the region's
// catalogue of positions says — the Rust SDK's `position` module. A region turns it on with the
// parameter `position_gate = true`; off by default, so a region without a catalogue decides as
// before.

import { Reason } from './reason.js';

const POSITION = 'POSITION';

/** Whether the catalogue marks the employee's position as qualifying. */
export function positionPasses(employee) {
  return employee.positionStatus === 'eligible';
}

/** The position gate with its reason. */
export function positionGate(employee) {
  const code = employee.positionCode === '' ? '-' : employee.positionCode;
  switch (employee.positionStatus) {
    case 'eligible':
      return Reason.pass(POSITION, `Jabatan ${code} termasuk jabatan yang dapat bekerja dari mana saja`,
        `Position ${code} is listed as able to work from anywhere`);
    case 'excluded':
      return Reason.fail(POSITION, `Jabatan ${code} dikecualikan dari MKD dalam katalog jabatan daerah`,
        `Position ${code} is excluded from the DWA in the region's position catalogue`)
        .withRemedy('Hanya jabatan yang ditetapkan memenuhi syarat dalam katalog yang dapat mengikuti MKD',
          'Only positions the catalogue marks as qualifying can take part');
    case 'under-review':
      return Reason.fail(POSITION, `Jabatan ${code} masih ditinjau dalam katalog jabatan daerah`,
        `Position ${code} is still under review in the region's position catalogue`)
        .withRemedy('Dapat mengajukan kembali setelah BKD/BKPSDM menetapkan jabatan ini memenuhi syarat',
          'May apply again once regional HR marks this position as qualifying');
    default:
      return Reason.fail(POSITION, `Jabatan ${code} belum tercantum dalam katalog jabatan daerah`,
        `Position ${code} is not in the region's position catalogue`)
        .withRemedy('Minta BKD/BKPSDM menilai jabatan ini dan mencantumkannya dalam katalog',
          'Ask regional HR to assess this position and list it in the catalogue');
  }
}
