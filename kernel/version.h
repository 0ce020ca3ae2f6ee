/* SPDX-License-Identifier: GPL-2.0-only */
/* The one place the version lives; `status` and the banners print it. */
#ifndef LONGBUS_VERSION_H
#define LONGBUS_VERSION_H

#define LONGBUS_VERSION "0.1.0"

#endif
