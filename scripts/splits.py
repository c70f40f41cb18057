"""The fixed dev / held-out split of the MDC articles and the Europe PMC sentences (issue 17).

Rule, fixed once before any tuning: a key goes to the held-out (test) part when
`zlib.crc32(key.encode("utf8")) % 10 >= 7`, else to the dev part (about 70/30). For MDC the key is the
article id (the file name without extension); for the Europe PMC sentences it is the PMCID, so the
sentences of one article never sit on both sides. The dev part is what rules and models are tuned and
trained on; the held-out part is scored only for the final figures. Within the Europe PMC dev part the
textcat's own evaluation set is `crc32 % 10 == 6` (trained on 0-5)."""
import zlib


def bucket(key: str) -> int:
    return zlib.crc32(key.encode("utf8")) % 10


def part(key: str) -> str:
    """'dev' or 'test' for an MDC article id or a Europe PMC PMCID."""
    return "test" if bucket(key) >= 7 else "dev"


def role_split(pmcid: str) -> str:
    """'train', 'dev' (the textcat's evaluation set) or 'test' (held out) for a Europe PMC sentence."""
    b = bucket(pmcid)
    return "test" if b >= 7 else "dev" if b == 6 else "train"
