"""The player's words in the page's language: Plyr's own labels (its ``i18n`` option) and those
player.js writes itself (the transcript's search status, spoken times), handed to the script
as JSON on the player's element. English is the msgid, so a language without a catalogue
shows the player exactly as before."""

from django.utils.translation import gettext, pgettext


def plyr_i18n():
    """Plyr's ``i18n`` option (its keys, node_modules/plyr/src/js/config/defaults.js)."""
    return {
        "restart": gettext("Restart"),
        "rewind": gettext("Back {seektime} seconds"),
        "play": pgettext("player", "Play"),
        "pause": pgettext("player", "Pause"),
        "fastForward": gettext("Forward {seektime} seconds"),
        "seek": gettext("Seek"),
        "seekLabel": gettext("{currentTime} of {duration}"),
        "played": gettext("Played"),
        "buffered": gettext("Buffered"),
        "currentTime": gettext("Current time"),
        "duration": gettext("Duration"),
        "volume": gettext("Volume"),
        "mute": gettext("Mute"),
        "unmute": gettext("Unmute"),
        "enableCaptions": gettext("Enable captions"),
        "disableCaptions": gettext("Disable captions"),
        "download": gettext("Download"),
        "enterFullscreen": gettext("Enter fullscreen"),
        "exitFullscreen": gettext("Exit fullscreen"),
        "frameTitle": gettext("Player for {title}"),
        "captions": pgettext("player", "Captions"),
        "settings": gettext("Settings"),
        "pip": gettext("Picture in picture"),
        "menuBack": gettext("Go back to previous menu"),
        "speed": gettext("Speed"),
        "normal": gettext("Normal"),
        "quality": gettext("Quality"),
        "loop": gettext("Loop"),
        "start": gettext("Start"),
        "end": gettext("End"),
        "all": gettext("All"),
        "reset": gettext("Reset"),
        "disabled": gettext("Disabled"),
        "enabled": gettext("Enabled"),
        "advertisement": gettext("Ad"),
        "qualityLabel": {"0": gettext("Auto")},
    }


def script_strings():
    """What player.js writes itself; ``{n}``, ``{query}`` are filled in by the script, which
    picks the singular or plural form with the page language's plural rules (Intl.PluralRules)."""
    return {
        "minute": gettext("{n} minute"),
        "minutes": gettext("{n} minutes"),
        "second": gettext("{n} second"),
        "seconds": gettext("{n} seconds"),
        "lineMatches": gettext("{n} line matches “{query}”."),
        "linesMatch": gettext("{n} lines match “{query}”."),
        "noLineMatches": gettext("No line matches “{query}”."),
        "track": gettext("Track {n}"),
    }


def player_strings():
    return {"plyr": plyr_i18n(), "script": script_strings()}
