"""`storageConfig`: the third-party cloud storage of a recording, with each vendor's
named regions as in the reference (vendors 0 Qiniu, 1 Amazon S3, 2 Alibaba Cloud,
3 Tencent Cloud; other vendor numbers are accepted with any region)."""

from __future__ import annotations

import re
from enum import IntEnum
from typing import Any, Self

from pydantic import Field, field_validator, model_validator

from layoutkit.wire.base import WireModel

MAX_PREFIX_CHARS = 128
_PREFIX_RE = re.compile(r"^[A-Za-z0-9]+$")


class Vendor(IntEnum):
    QINIU = 0
    AMAZON_S3 = 1
    ALIBABA = 2
    TENCENT = 3


class QiniuRegion(IntEnum):
    HUADONG = 0
    HUABEI = 1
    HUANAN = 2
    BEIMEI = 3


class S3Region(IntEnum):
    US_EAST_1 = 0
    US_EAST_2 = 1
    US_WEST_1 = 2
    US_WEST_2 = 3
    EU_WEST_1 = 4
    EU_WEST_2 = 5
    EU_WEST_3 = 6
    EU_CENTRAL_1 = 7
    AP_SOUTHEAST_1 = 8
    AP_SOUTHEAST_2 = 9
    AP_NORTHEAST_1 = 10
    AP_NORTHEAST_2 = 11
    SA_EAST_1 = 12
    CA_CENTRAL_1 = 13
    AP_SOUTH_1 = 14
    CN_NORTH_1 = 15
    CN_NORTHWEST_1 = 16
    US_GOV_WEST_1 = 17


class AlibabaRegion(IntEnum):
    CN_HANGZHOU = 0
    CN_SHANGHAI = 1
    CN_QINGDAO = 2
    CN_BEIJIN = 3
    CN_ZHANGJIAKOU = 4
    CN_HUHEHAOTE = 5
    CN_SHENZHEN = 6
    CN_HONGKONG = 7
    US_WEST_1 = 8
    US_EAST_1 = 9
    AP_SOUTHEAST_1 = 10
    AP_SOUTHEAST_2 = 11
    AP_SOUTHEAST_3 = 12
    AP_SOUTHEAST_5 = 13
    AP_NORTHEAST_1 = 14
    AP_SOUTH_1 = 15
    EU_CENTRAL_1 = 16
    EU_WEST_1 = 17
    EU_EAST_1 = 18


class TencentRegion(IntEnum):
    AP_BEIJING_1 = 0
    AP_BEIJING = 1
    AP_SHANGHAI = 2
    AP_GUANGZHOU = 3
    AP_CHENGDU = 4
    AP_CHONGQING = 5
    AP_SHENZHEN_FSI = 6
    AP_SHANGHAI_FSI = 7
    AP_BEIJING_FSI = 8
    AP_HONGKONG = 9
    AP_SINGAPORE = 10
    AP_MUMBAI = 11
    AP_SEOUL = 12
    AP_BANGKOK = 13
    AP_TOKYO = 14
    NA_SILICONVALLEY = 15
    NA_ASHBURN = 16
    NA_TORONTO = 17
    EU_FRANKFURT = 18
    EU_MOSCOW = 19


REGIONS: dict[int, type[IntEnum]] = {
    Vendor.QINIU: QiniuRegion,
    Vendor.AMAZON_S3: S3Region,
    Vendor.ALIBABA: AlibabaRegion,
    Vendor.TENCENT: TencentRegion,
}


class StorageConfig(WireModel):
    """Where Agora uploads the recorded files. `accessKey` and `secretKey` are secrets:
    they never appear in a repr, only on the wire."""

    vendor: int = Field(ge=0)
    region: int = Field(ge=0)
    bucket: str = Field(min_length=1)
    access_key: str = Field(alias="accessKey", min_length=1, repr=False)
    secret_key: str = Field(alias="secretKey", min_length=1, repr=False)
    file_name_prefix: list[str] | None = Field(None, alias="fileNamePrefix")
    extension_params: dict[str, Any] | None = Field(None, alias="extensionParams")

    @field_validator("file_name_prefix")
    @classmethod
    def _prefix_charset(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        for part in value:
            if not _PREFIX_RE.match(part):
                raise ValueError(
                    f"fileNamePrefix entry {part!r} may only hold the letters a-z, A-Z and "
                    "the digits 0-9 (no slashes: each entry is one folder)"
                )
        total = sum(len(p) for p in value) + len(value)
        if total > MAX_PREFIX_CHARS:
            raise ValueError(
                f"fileNamePrefix is {total} characters with its slashes; at most {MAX_PREFIX_CHARS}"
            )
        return value

    @model_validator(mode="after")
    def _region_of_vendor(self) -> Self:
        regions = REGIONS.get(self.vendor)
        if regions is not None and self.region not in {r.value for r in regions}:
            names = ", ".join(f"{r.value} {r.name}" for r in regions)
            raise ValueError(
                f"region {self.region} is not a region of vendor {self.vendor} "
                f"({Vendor(self.vendor).name}); use one of: {names}"
            )
        return self


__all__ = [
    "MAX_PREFIX_CHARS",
    "REGIONS",
    "AlibabaRegion",
    "QiniuRegion",
    "S3Region",
    "StorageConfig",
    "TencentRegion",
    "Vendor",
]
