"""Audio track languages: the ISO 639-2 codes containers carry, as the BCP 47 tags HLS and
browsers use, with a name to show.

MP4, MKV and MPEG-TS tag a stream's language with three letters ("eng", "fre" or "fra");
HLS's ``LANGUAGE`` attribute and the player's ``srclang`` want BCP 47, whose primary subtag
is the two-letter ISO 639-1 code where one exists. The table covers the languages Django
has names for (``django.conf.locale.LANG_INFO``); any other code is kept as it is (a valid
BCP 47 primary subtag too), and "und" (undetermined) or no tag means unknown.
"""

from django.conf.locale import LANG_INFO

# ISO 639-2 (bibliographic and terminological forms) -> ISO 639-1.
ISO_639_2 = {
    "afr": "af", "ara": "ar", "aze": "az", "bel": "be", "bul": "bg", "ben": "bn", "bre": "br",
    "bos": "bs", "cat": "ca", "cze": "cs", "ces": "cs", "wel": "cy", "cym": "cy", "dan": "da",
    "ger": "de", "deu": "de", "gre": "el", "ell": "el", "eng": "en", "epo": "eo", "spa": "es",
    "est": "et", "baq": "eu", "eus": "eu", "per": "fa", "fas": "fa", "fin": "fi", "fre": "fr",
    "fra": "fr", "fry": "fy", "gle": "ga", "gla": "gd", "glg": "gl", "heb": "he", "hin": "hi",
    "hrv": "hr", "hun": "hu", "arm": "hy", "hye": "hy", "ina": "ia", "ind": "id", "ibo": "ig",
    "ice": "is", "isl": "is", "ita": "it", "jpn": "ja", "geo": "ka", "kat": "ka", "kaz": "kk",
    "khm": "km", "kan": "kn", "kor": "ko", "kir": "ky", "ltz": "lb", "lit": "lt", "lav": "lv",
    "mac": "mk", "mkd": "mk", "mal": "ml", "mon": "mn", "mar": "mr", "may": "ms", "msa": "ms",
    "bur": "my", "mya": "my", "nob": "nb", "nep": "ne", "dut": "nl", "nld": "nl", "nno": "nn",
    "nor": "no", "oss": "os", "pan": "pa", "pol": "pl", "por": "pt", "rum": "ro", "ron": "ro",
    "rus": "ru", "slo": "sk", "slk": "sk", "slv": "sl", "alb": "sq", "sqi": "sq", "srp": "sr",
    "swe": "sv", "swa": "sw", "tam": "ta", "tel": "te", "tgk": "tg", "tha": "th", "tuk": "tk",
    "tur": "tr", "tat": "tt", "uig": "ug", "ukr": "uk", "urd": "ur", "uzb": "uz", "vie": "vi",
    "chi": "zh", "zho": "zh",
}  # fmt: skip
UNDETERMINED = {"", "und", "mis", "mul", "zxx", "unk"}


def bcp47(code):
    """``"eng"`` -> ``"en"``, ``"pt-BR"`` -> ``"pt-BR"``, ``"und"`` or ``None`` -> ``""``."""
    code = (code or "").strip().replace("_", "-")
    if code.lower() in UNDETERMINED:
        return ""
    primary, _, rest = code.partition("-")
    primary = ISO_639_2.get(primary.lower(), primary.lower())
    return f"{primary}-{rest}" if rest else primary


def language_name(tag):
    """The English name of a BCP 47 tag ("fr" -> "French"), or ``""`` if unknown."""
    if not tag:
        return ""
    info = LANG_INFO.get(tag.lower()) or LANG_INFO.get(tag.split("-")[0].lower()) or {}
    if "fallback" in info:
        info = LANG_INFO.get(info["fallback"][0], {})
    return info.get("name", "")


def same_language(tag, language):
    """Whether the BCP 47 tag ``tag`` is in ``language`` ("fr-CA" is French; "fr" is not "fr-CA")."""
    tag, language = (tag or "").lower(), (language or "").lower()
    if not tag or not language:
        return False
    return tag == language or tag.split("-")[0] == language or language.split("-")[0] == tag


def captions_for_language(tracks, language):
    """``tracks`` (anything with ``language`` and ``is_default``) with the default moved to the
    track in ``language``, the page's: on a French lesson the French captions are the ones shown.

    Marking a track default is how an editor says captions start on; which track is the page's
    language's to decide. With no track marked default the captions start off (none is made
    default: the player still picks ``language``'s when the student turns them on); with no
    track in ``language`` the editor's default stays. The track in the language comes first,
    where a browser without scripts looks for one.
    """
    tracks = list(tracks)
    if not tracks or not language:
        return tracks
    exact = [t for t in tracks if (t.language or "").lower() == language.lower()]
    matching = exact or [t for t in tracks if same_language(t.language, language)]
    if not matching:
        return tracks
    chosen = next((t for t in matching if t.is_default), matching[0])
    captions_on = any(t.is_default for t in tracks)
    for track in tracks:
        track.is_default = captions_on and track is chosen
    return [chosen, *(t for t in tracks if t is not chosen)]
