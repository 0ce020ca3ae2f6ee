/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * EFI_MP_SERVICES_PROTOCOL (PI spec vol. 2, 13.4). GNU-EFI does not ship it.
 * Only the two calls the loader needs are typed; the rest are opaque slots
 * kept so the layout matches.
 */
#ifndef LONGBUS_BOOT_MP_SERVICES_H
#define LONGBUS_BOOT_MP_SERVICES_H

#include <efi.h>

#define LB_EFI_MP_SERVICES_GUID                                                \
	{ 0x3fdda605, 0xa76e, 0x4f46,                                          \
	  { 0xad, 0x29, 0x12, 0xf4, 0x53, 0x1b, 0x3d, 0x08 } }

/* StatusFlag bits of EFI_PROCESSOR_INFORMATION. */
#define LB_PROCESSOR_AS_BSP_BIT 0x1
#define LB_PROCESSOR_ENABLED_BIT 0x2

typedef struct {
	UINT64 ProcessorId; /* the APIC ID */
	UINT32 StatusFlag;
	UINT32 Package, Core, Thread; /* EFI_CPU_PHYSICAL_LOCATION */
	/* PI 1.7 appends an extended location union; we never read it. */
	UINT32 ExtendedLocation[6];
} LB_EFI_PROCESSOR_INFORMATION;

struct _LB_EFI_MP_SERVICES;

typedef EFI_STATUS(EFIAPI *LB_MP_GET_NUMBER_OF_PROCESSORS)(
	struct _LB_EFI_MP_SERVICES *This, UINTN *NumberOfProcessors,
	UINTN *NumberOfEnabledProcessors);

typedef EFI_STATUS(EFIAPI *LB_MP_GET_PROCESSOR_INFO)(
	struct _LB_EFI_MP_SERVICES *This, UINTN ProcessorNumber,
	LB_EFI_PROCESSOR_INFORMATION *ProcessorInfoBuffer);

typedef struct _LB_EFI_MP_SERVICES {
	LB_MP_GET_NUMBER_OF_PROCESSORS GetNumberOfProcessors;
	LB_MP_GET_PROCESSOR_INFO GetProcessorInfo;
	VOID *StartupAllAPs;
	VOID *StartupThisAP;
	VOID *SwitchBSP;
	VOID *EnableDisableAP;
	VOID *WhoAmI;
} LB_EFI_MP_SERVICES;

#endif
