// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reading files from the ESP directory longbus.efi was started from, so
 * that `longbus.cfg` and the images it names sit next to the binary and
 * paths in the config are relative to that directory.
 * Context: boot services.
 */
#include "boot/loader.h"
#include "kernel/klib.h"

#define PATH_MAX_CHARS 256

static EFI_FILE_HANDLE boot_dir;
static char boot_dir_str[PATH_MAX_CHARS];

const char *fs_boot_dir(void)
{
	return boot_dir_str;
}

/*
 * The loaded image's FilePath is a device path whose media file-path nodes,
 * joined, give "\EFI\BOOT\BOOTX64.EFI"; its directory is everything up to the
 * last backslash.
 */
static void image_dir_from_path(EFI_DEVICE_PATH *dp, CHAR16 *out, size_t cap)
{
	size_t n = 0, last_sep = 0;

	for (; !IsDevicePathEnd(dp); dp = NextDevicePathNode(dp)) {
		if (DevicePathType(dp) != MEDIA_DEVICE_PATH ||
		    DevicePathSubType(dp) != MEDIA_FILEPATH_DP)
			continue;
		FILEPATH_DEVICE_PATH *fp = (FILEPATH_DEVICE_PATH *)dp;
		size_t chars = (DevicePathNodeLength(dp) - 4) / sizeof(CHAR16);
		for (size_t i = 0; i < chars && fp->PathName[i]; i++) {
			if (n + 1 >= cap)
				break;
			/* Adjacent nodes may both carry a separator. */
			if (fp->PathName[i] == L'\\' && n && out[n - 1] == L'\\')
				continue;
			if (n == 0 && fp->PathName[i] != L'\\')
				out[n++] = L'\\';
			out[n++] = fp->PathName[i];
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (out[i] == L'\\')
			last_sep = i;
	}
	out[last_sep ? last_sep : (n ? 1 : 0)] = 0;
	if (n == 0) {
		out[0] = L'\\';
		out[1] = 0;
	}
}

EFI_STATUS fs_open_boot_dir(EFI_HANDLE image)
{
	EFI_LOADED_IMAGE *li;
	EFI_FILE_HANDLE root;
	CHAR16 dir[PATH_MAX_CHARS];
	EFI_STATUS st;

	st = BS->HandleProtocol(image, &LoadedImageProtocol, (void **)&li);
	if (EFI_ERROR(st))
		return st;
	root = LibOpenRoot(li->DeviceHandle);
	if (!root)
		return EFI_NOT_FOUND;
	image_dir_from_path(li->FilePath, dir, PATH_MAX_CHARS);
	for (size_t i = 0; i < PATH_MAX_CHARS - 1 && dir[i]; i++) {
		boot_dir_str[i] = (char)dir[i];
		boot_dir_str[i + 1] = 0;
	}
	st = root->Open(root, &boot_dir, dir, EFI_FILE_MODE_READ, 0);
	if (EFI_ERROR(st))
		boot_dir = root; /* started from the volume root */
	return EFI_SUCCESS;
}

static EFI_STATUS open_relative(const char *path, EFI_FILE_HANDLE *fh)
{
	CHAR16 wpath[PATH_MAX_CHARS];
	size_t n = strlen(path);

	if (n == 0 || n >= PATH_MAX_CHARS)
		return EFI_INVALID_PARAMETER;
	for (size_t i = 0; i <= n; i++)
		wpath[i] = path[i] == '/' ? L'\\' : (CHAR16)(u8)path[i];
	return boot_dir->Open(boot_dir, fh, wpath, EFI_FILE_MODE_READ, 0);
}

EFI_STATUS fs_read_file(const char *path, u32 type, u64 max_size, paddr_t *phys,
			u64 *size)
{
	EFI_FILE_HANDLE fh;
	EFI_FILE_INFO *info;
	EFI_STATUS st;
	UINTN len;

	st = open_relative(path, &fh);
	if (EFI_ERROR(st))
		return st;
	info = LibFileInfo(fh);
	if (!info) {
		st = EFI_DEVICE_ERROR;
		goto out_close;
	}
	*size = info->FileSize;
	FreePool(info);
	if (*size > max_size) {
		st = EFI_BAD_BUFFER_SIZE;
		goto out_close;
	}
	/* One extra byte so an empty file still gets a page. */
	st = mem_alloc(type, *size + 1, 4096, phys);
	if (EFI_ERROR(st))
		goto out_close;
	len = *size;
	st = fh->Read(fh, &len, (void *)(uintptr_t)*phys);
	if (!EFI_ERROR(st) && len != *size)
		st = EFI_DEVICE_ERROR;
	/* On error the pages stay on the loader's list; mem_release_all() frees them. */
out_close:
	fh->Close(fh);
	return st;
}
