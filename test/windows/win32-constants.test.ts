// The win32 host's numbers and names, held against values copied from the Windows SDK headers
// (winnt.h, winerror.h) as mingw-w64 and Wine ship them. Pure: runs on every platform.
import { describe, expect, it } from 'vitest';
import { Protection } from '../../host/types.js';
import {
  MEM,
  MEM_EXTENDED_PARAMETER_ADDRESS_REQUIREMENTS,
  PAGE,
  WIN32_ERRORS,
  WIN32_PROTECTION,
  describeMemoryConstant,
  describeProtection,
  win32ErrorName,
} from '../../host/win32-constants.js';

describe('the win32 constant table', () => {
  it('holds the winnt.h memory constants', () => {
    expect(MEM).toEqual({
      COMMIT: 0x1000,
      RESERVE: 0x2000,
      DECOMMIT: 0x4000,
      RELEASE: 0x8000,
      FREE: 0x10000,
      PRIVATE: 0x20000,
      MAPPED: 0x40000,
      IMAGE: 0x1000000,
      LARGE_PAGES: 0x20000000,
    });
    expect(PAGE).toEqual({
      NOACCESS: 0x01,
      READONLY: 0x02,
      READWRITE: 0x04,
      WRITECOPY: 0x08,
      EXECUTE: 0x10,
      EXECUTE_READ: 0x20,
      EXECUTE_READWRITE: 0x40,
      EXECUTE_WRITECOPY: 0x80,
      GUARD: 0x100,
      NOCACHE: 0x200,
      WRITECOMBINE: 0x400,
    });
    expect(MEM_EXTENDED_PARAMETER_ADDRESS_REQUIREMENTS).toBe(1);
  });

  it('maps every portable protection level to its PAGE_* value', () => {
    expect(WIN32_PROTECTION).toEqual({
      [Protection.NoAccess]: 0x01,
      [Protection.ReadOnly]: 0x02,
      [Protection.ReadWrite]: 0x04,
      [Protection.Execute]: 0x10,
      [Protection.ReadExecute]: 0x20,
      [Protection.ReadWriteExecute]: 0x40,
    });
  });

  it('names the GetLastError codes of winerror.h, and says "Windows error N" for the others', () => {
    const expected: [number, string][] = [
      [5, 'ERROR_ACCESS_DENIED'],
      [8, 'ERROR_NOT_ENOUGH_MEMORY'],
      [50, 'ERROR_NOT_SUPPORTED'],
      [87, 'ERROR_INVALID_PARAMETER'],
      [158, 'ERROR_NOT_LOCKED'],
      [487, 'ERROR_INVALID_ADDRESS'],
      [1300, 'ERROR_NOT_ALL_ASSIGNED'],
      [1314, 'ERROR_PRIVILEGE_NOT_HELD'],
      [1450, 'ERROR_NO_SYSTEM_RESOURCES'],
      [1453, 'ERROR_WORKING_SET_QUOTA'],
      [1455, 'ERROR_COMMITMENT_LIMIT'],
    ];
    for (const [code, name] of expected) expect(win32ErrorName(code)).toBe(name);
    expect(win32ErrorName(4242)).toBe('Windows error 4242');
    expect(new Set(Object.values(WIN32_ERRORS)).size).toBe(Object.keys(WIN32_ERRORS).length); // no code named twice
  });

  it('describes VirtualQuery protections as access plus modifiers, and MEM_* states and types by name', () => {
    expect(describeProtection(0x04)).toEqual({ access: 'PAGE_READWRITE', modifiers: [] });
    expect(describeProtection(0x104)).toEqual({ access: 'PAGE_READWRITE', modifiers: ['PAGE_GUARD'] });
    expect(describeProtection(0x01)).toEqual({ access: 'PAGE_NOACCESS', modifiers: [] });
    expect(describeProtection(0)).toEqual({ access: '', modifiers: [] }); // reserved pages have no protection
    expect([0x1000, 0x2000, 0x10000, 0x20000, 0x1000000].map(describeMemoryConstant)).toEqual([
      'MEM_COMMIT',
      'MEM_RESERVE',
      'MEM_FREE',
      'MEM_PRIVATE',
      'MEM_IMAGE',
    ]);
  });
});
