"""The visit modes and the shape a visit is shown in."""

from server.i18n import N_

MODES = {
    "video_call": N_("视频通话"),
    "phone": N_("电话"),
    "self_recorded": N_("申请人自拍照片视频"),
    "outside_observation": N_("门外观察"),
}
