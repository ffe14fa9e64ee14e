"""The unit ids Grafana formats values with (valueFormats/categories.ts), its custom unit forms, and
suggestions for the ids people get wrong."""

from __future__ import annotations

import difflib

# Ids are grouped as in Grafana's unit picker. Mind the two micro signs: 'µs', 'µfarad' and 'µhenry' use
# U+00B5, while 'conμgm3', 'conμgNm3' and 'currencyμBTC' use the Greek mu U+03BC, exactly as Grafana does.
_CATEGORIES: dict[str, str] = {
    "misc": "none string short sishort percent percentunit humidity dB candela hex0x hex sci locale pixel",
    "acceleration": "accMS2 accFS2 accG",
    "angle": "degree radian grad arcmin arcsec",
    "area": "areaM2 areaF2 areaMI2 acres hectares",
    "computation": "flops mflops gflops tflops pflops eflops zflops yflops",
    "concentration": "ppm conppb conngm3 conngNm3 conμgm3 conμgNm3 conmgm3 conmgNm3 congm3 congNm3 conmgdL conmmolL",
    "currency": "currencyUSD currencyGBP currencyEUR currencyJPY currencyRUB currencyUAH currencyBRL currencyDKK "
    "currencyISK currencyNOK currencySEK currencyCZK currencyCHF currencyPLN currencyBTC currencymBTC currencyμBTC "
    "currencyZAR currencyINR currencyKRW currencyIDR currencyPHP currencyVND currencyTRY currencyMYR currencyXPF "
    "currencyBGN currencyPYG currencyUYU currencyILS",
    "data": "bytes decbytes bits decbits kbytes deckbytes mbytes decmbytes gbytes decgbytes tbytes dectbytes "
    "pbytes decpbytes",
    "data rate": "pps binBps Bps binbps bps KiBs Kibits KBs Kbits MiBs Mibits MBs Mbits GiBs Gibits GBs Gbits "
    "TiBs Tibits TBs Tbits PiBs Pibits PBs Pbits",
    "date & time": "dateTimeAsIso dateTimeAsIsoNoDateIfToday dateTimeAsUS dateTimeAsUSNoDateIfToday dateTimeAsLocal "
    "dateTimeAsLocalNoDateIfToday dateTimeAsSystem dateTimeFromNow",
    "energy": "watt kwatt megwatt gwatt mwatt Wm2 voltamp kvoltamp voltampreact kvoltampreact watth watthperkg "
    "kwatth kwattm mwatth amph kamph mamph joule ev amp kamp mamp volt kvolt mvolt dBm mohm ohm kohm Mohm farad "
    "µfarad nfarad pfarad ffarad henry mhenry µhenry lumens",
    "flow": "flowgpm flowcms flowcfs flowcfm litreh flowlpm flowmlpm lux",
    "force": "forceNm forcekNm forceN forcekN",
    "hash rate": "Hs KHs MHs GHs THs PHs EHs",
    "mass": "massmg massg masslb masskg masst",
    "length": "lengthmm lengthin lengthft lengthm lengthkm lengthmi",
    "pressure": "pressurembar pressurebar pressurekbar pressurepa pressurehpa pressurekpa pressurehg pressurepsi",
    "radiation": "radbq radci radgy radrad radsv radmsv radusv radrem radexpckg radr radsvh radmsvh radusvh",
    "rotational speed": "rotrpm rothz rotkhz rotmhz rotghz rotrads rotdegs",
    "temperature": "celsius fahrenheit kelvin",
    "time": "hertz ns µs ms s m h d dtdurationms dtdurations dthms dtdhms timeticks clockms clocks",
    "throughput": "cps ops reqps rps wps iops eps mps recps rowsps cpm opm reqpm rpm wpm epm mpm recpm rowspm",
    "velocity": "velocityms velocitykmh velocitymph velocityknot",
    "volume": "mlitre litre m3 Nm3 dm3 gallons",
    "boolean": "bool bool_yes_no bool_on_off",
}
_CURRENT: frozenset[str] = frozenset(unit for ids in _CATEGORIES.values() for unit in ids.split())

# Old ids Grafana still resolves (to the id on the right), so saved dashboards keep rendering.
LEGACY_UNITS: dict[str, str] = {"farenheit": "fahrenheit"}

UNITS: frozenset[str] = _CURRENT.union(LEGACY_UNITS)

# `<key>:<text>` forms getValueFormat understands, e.g. 'suffix: req', 'currency:CAD', 'time:YYYY-MM-DD'.
CUSTOM_PREFIXES: tuple[str, ...] = ("prefix", "suffix", "si", "count", "currency", "time", "bool")

# Spellings that difflib gets wrong or does not reach; each maps to the id a reader would agree on.
_COMMON_MISTAKES: dict[str, str] = {
    "sec": "s",
    "secs": "s",
    "second": "s",
    "seconds": "s",
    "msec": "ms",
    "millisecond": "ms",
    "milliseconds": "ms",
    "us": "µs",
    "microseconds": "µs",
    "nanoseconds": "ns",
    "min": "m",
    "minutes": "m",
    "hours": "h",
    "days": "d",
    "%": "percent",
    "percentage": "percent",
    "byte": "bytes",
    "bit": "bits",
    "bytes/s": "Bps",
    "bytes/sec": "Bps",
    "bits/s": "bps",
    "bits/sec": "bps",
    "kbps": "Kbits",
    "mbps": "Mbits",
    "gbps": "Gbits",
    "req/s": "reqps",
    "req/sec": "reqps",
    "requests/s": "reqps",
    "requests/sec": "reqps",
    "ops/s": "ops",
    "ops/sec": "ops",
    "read/s": "rps",
    "reads/s": "rps",
    "write/s": "wps",
    "writes/s": "wps",
    "io/s": "iops",
    "hz": "hertz",
}


def is_known_unit(unit: str) -> bool:
    """True for a Grafana unit id or a custom form like 'suffix: req' (any other string Grafana would show
    verbatim as a suffix, which is almost always a typo). The empty string is not a unit."""
    if unit in UNITS:
        return True
    key, colon, text = unit.partition(":")
    return bool(colon) and key in CUSTOM_PREFIXES and bool(text)


def suggest_unit(unit: str) -> str | None:
    """The known id closest to `unit` ('seconds' -> 's', 'Percent' -> 'percent', 'celcius' -> 'celsius'),
    `unit` itself when it is known, or None when nothing is close."""
    if is_known_unit(unit):
        return unit
    cleaned = unit.strip()
    if cleaned in UNITS:
        return LEGACY_UNITS.get(cleaned, cleaned)
    if cleaned.lower() in _COMMON_MISTAKES:
        return _COMMON_MISTAKES[cleaned.lower()]
    same_but_case = [known for known in _CURRENT if known.lower() == cleaned.lower()]
    if len(same_but_case) == 1:
        return same_but_case[0]
    close = difflib.get_close_matches(cleaned, sorted(_CURRENT), n=3, cutoff=0.8)
    # A typo keeps the first letter ('celcius', 'farenheight'); 'cores' is not a misspelt 'acres'.
    return next((known for known in close if known[:1].lower() == cleaned[:1].lower()), None)
