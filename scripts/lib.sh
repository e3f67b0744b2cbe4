# Shared by scripts/run and scripts/test (sourced, never run): installs through
# apt-get and a working .venv. The caller sets ROOT and NAME (its own name, for
# messages) and runs under `set -euo pipefail`.

say() { printf '%s: %s\n' "$NAME" "$*" >&2; }
die() { say "error: $*"; exit 1; }

# ---- privileged installs through apt ---------------------------------------
APT_UPDATED=0
SUDO=()
can_apt() {
    command -v apt-get >/dev/null 2>&1 || return 1
    if [ "$(id -u)" -eq 0 ]; then SUDO=(); return 0; fi
    command -v sudo >/dev/null 2>&1 || return 1
    SUDO=(sudo)
}
# apt_install PKG...: returns non-zero (after saying why) when it cannot install.
apt_install() {
    if ! can_apt; then
        say "cannot install $* here (needs apt-get and root or sudo)"
        return 1
    fi
    if [ "$APT_UPDATED" -eq 0 ]; then
        say "apt-get update"
        "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
        APT_UPDATED=1
    fi
    say "apt-get install $*"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# ---- Python virtualenv -----------------------------------------------------
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

base_python() {
    local candidate
    for candidate in python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 \
           && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            printf '%s\n' "$candidate"; return 0
        fi
    done
    return 1
}

venv_works() {
    [ -x "$PY" ] && "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
        && "$PY" -m pip --version >/dev/null 2>&1
}

# An earlier run that failed half-way (no python3-venv, Ctrl-C, a full disk) can
# leave a .venv without bin/python or without pip: remove it, but only when it
# is a virtualenv (pyvenv.cfg) or empty, never a folder of someone else's.
remove_broken_venv() {
    [ -e "$VENV" ] || [ -L "$VENV" ] || return 0
    if [ -L "$VENV" ] || [ -f "$VENV/pyvenv.cfg" ] || [ -z "$(ls -A "$VENV")" ]; then
        say ".venv is incomplete (no working python or pip, maybe from an earlier failed run); making it again"
        rm -rf "$VENV"
    else
        die ".venv is not a virtualenv (no pyvenv.cfg); move it away and run this again"
    fi
}

# Debian splits venv's ensurepip into python3.X-venv; without it `-m venv` fails.
need_venv_module() {
    local base="$1" pkg
    "$base" -c 'import ensurepip, venv' >/dev/null 2>&1 && return 0
    pkg="python$("$base" -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv"
    say "$base has no venv module with pip (Debian's $pkg package); installing it"
    apt_install "$pkg" \
        || die "install Debian's $pkg package (as root: apt-get install $pkg), then run this again"
}

ensure_venv() {
    venv_works && return 0
    local base
    base="$(base_python)" \
        || die "Python 3.11 or newer not found (tried python3.11, python3); on Debian: apt-get install python3"
    remove_broken_venv
    need_venv_module "$base"
    say "creating .venv with $base"
    if ! "$base" -m venv "$VENV" || ! venv_works; then
        rm -rf "$VENV"
        die "$base -m venv could not make a working .venv (see above)"
    fi
}

# install_requirements FILE STAMP HASH: pip install -r FILE unless STAMP holds HASH.
install_requirements() {
    local file="$1" stamp="$2" want="$3"
    if [ "$want" = "$(cat "$stamp" 2>/dev/null || true)" ]; then
        say "python requirements up to date"
        return 0
    fi
    say "installing $file into .venv"
    "$PY" -m pip install --quiet --disable-pip-version-check -r "$file"
    printf '%s\n' "$want" > "$stamp"
}
