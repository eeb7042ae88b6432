"""`storageConfig`: the third-party cloud storage of a recording, with each vendor's
named regions as in Agora's current reference (docs.agora.io/en/cloud-recording/reference/
region-vendor; AgoraIO/Docs-Source cloud-recording/reference/region-vendor.mdx). Each
table is one IntEnum, so a change in Agora's list is a change in one place."""

from __future__ import annotations

import re
from enum import IntEnum
from typing import Any, Self

from pydantic import Field, field_validator, model_validator

from layoutkit.wire.base import JsonInt, WireModel

MAX_PREFIX_CHARS = 128
_PREFIX_RE = re.compile(r"^[A-Za-z0-9]+$")
# extensionParams.endpoint of vendor 11: a domain name (or IPv4 address), optional port
_HOST_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"
_ENDPOINT_RE = re.compile(rf"^{_HOST_LABEL}(\.{_HOST_LABEL})*(:\d{{1,5}})?$")
QINIU = 0  # Qiniu Cloud: in the older references, no longer supported


class Vendor(IntEnum):
    AMAZON_S3 = 1
    ALIBABA = 2
    TENCENT = 3
    AZURE = 5
    GOOGLE = 6
    HUAWEI = 7
    BAIDU = 8
    S3_COMPATIBLE = 11  # a self-hosted S3-compatible store: extensionParams.endpoint


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
    # 17 (US_GOV_WEST_1) is no longer in the list; 23 never was
    AF_SOUTH_1 = 18
    AP_EAST_1 = 19
    AP_NORTHEAST_3 = 20
    EU_NORTH_1 = 21
    ME_SOUTH_1 = 22
    AP_SOUTHEAST_3 = 24
    EU_SOUTH_1 = 25


class AlibabaRegion(IntEnum):
    CN_HANGZHOU = 0
    CN_SHANGHAI = 1
    CN_QINGDAO = 2
    CN_BEIJING = 3
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
    AP_SOUTHEAST_6 = 19
    CN_HEYUAN = 20
    CN_GUANGZHOU = 21
    CN_CHENGDU = 22
    CN_NANJING = 23
    CN_FUZHOU = 24
    CN_WULANCHABU = 25
    CN_NORTHEAST_2 = 26
    CN_SOUTHEAST_7 = 27


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


class HuaweiRegion(IntEnum):
    CN_NORTH_1 = 0
    CN_NORTH_4 = 1
    CN_EAST_2 = 2
    CN_EAST_3 = 3
    CN_SOUTH_1 = 4
    CN_SOUTHWEST_2 = 5
    AP_SOUTHEAST_1 = 6
    AP_SOUTHEAST_2 = 7
    AP_SOUTHEAST_3 = 8
    AF_SOUTH_1 = 9
    SA_ARGENTINA_1 = 10
    SA_PERU_1 = 11
    NA_MEXICO_1 = 12
    SA_BRAZIL_1 = 13
    LA_SOUTH_2 = 14
    SA_CHILE_1 = 15


class BaiduRegion(IntEnum):
    # the list starts at 1
    BAODING = 1
    SUZHOU = 2
    GUANGZHOU = 3
    HONGKONG = 4
    SINGAPORE = 5
    WUHAN = 6
    SHANGHAI = 7


REGIONS: dict[int, type[IntEnum]] = {
    Vendor.AMAZON_S3: S3Region,
    Vendor.ALIBABA: AlibabaRegion,
    Vendor.TENCENT: TencentRegion,
    Vendor.HUAWEI: HuaweiRegion,
    Vendor.BAIDU: BaiduRegion,
}
ANY_REGION: tuple[Vendor, ...] = (Vendor.AZURE, Vendor.GOOGLE, Vendor.S3_COMPATIBLE)
"""Vendors without a region table: the page gives `region` = 0 for them, and an earlier
version of it said the field need not be set and has no effect if set, so any
non-negative region is accepted."""
_VENDORS = ", ".join(f"{v.value} {v.name}" for v in Vendor)


class StorageConfig(WireModel):
    """Where Agora uploads the recorded files. `accessKey` and `secretKey` are secrets:
    they never appear in a repr, only on the wire."""

    vendor: JsonInt
    region: JsonInt = Field(ge=0)
    bucket: str = Field(min_length=1)
    access_key: str = Field(alias="accessKey", min_length=1, repr=False)
    secret_key: str = Field(alias="secretKey", min_length=1, repr=False)
    sts_token: str | None = Field(None, alias="stsToken", repr=False)
    file_name_prefix: list[str] | None = Field(None, alias="fileNamePrefix")
    extension_params: dict[str, Any] | None = Field(None, alias="extensionParams")

    @field_validator("vendor")
    @classmethod
    def _known_vendor(cls, value: int) -> int:
        if value == QINIU:
            raise ValueError(
                f"vendor 0 (Qiniu Cloud) is no longer supported by Agora Cloud Recording; "
                f"use one of: {_VENDORS}"
            )
        if value not in {v.value for v in Vendor}:
            raise ValueError(
                f"vendor {value} is not a storage vendor of Agora; use one of: {_VENDORS}"
            )
        return value

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
        if self.vendor == Vendor.S3_COMPATIBLE:
            endpoint = (self.extension_params or {}).get("endpoint")
            if not isinstance(endpoint, str) or not endpoint:
                raise ValueError(
                    "vendor 11 (S3-compatible storage) needs extensionParams.endpoint, the "
                    'domain name of the store, e.g. {"endpoint": "s3.example.com"}'
                )
            if not _ENDPOINT_RE.match(endpoint):
                raise ValueError(
                    "extensionParams.endpoint is the domain name of the S3-compatible store "
                    '(e.g. "s3.example.com", optionally with ":port"), without https:// '
                    "or a path"
                )
        return self
