/* SPDX-License-Identifier: MIT */
/* t_its plus INVALL, MOVI, MOVALL, DISCARD: vgic only (see t_its.c). */
#define ITS_MORE
#include "t_its.c"
