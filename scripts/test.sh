#!/usr/bin/env bash
# The project's one test command:
#
#   ./scripts/test.sh                       # vet and test everything
#   ./scripts/test.sh -run Journey ./web/   # extra arguments go to go test
#
# It gets the tools the tests need, so that the PostgreSQL and browser tests
# run instead of skipping: PostgreSQL, Chromium and fonts from apt (when they
# are missing and we are root), axe-core from npm into a cache outside the
# repository. It starts a throwaway PostgreSQL on 127.0.0.1, runs go vet and
# go test, and removes the server again on exit.
#
# Environment, all optional:
#   VIGIL_TEST_POSTGRES  URL of a server to use instead of starting one
#   VIGIL_CHROMIUM       Chromium binary (default /usr/bin/chromium)
#   VIGIL_AXE_JS         axe.min.js to use instead of the npm copy
#   VIGIL_NO_INSTALL=1   never run apt-get or npm; say what is missing
#   CI                   when set, a missing PostgreSQL is an error, and the
#                        browser tests fail rather than skip without tools
set -euo pipefail

# axe-core decides what counts as a WCAG violation, so a new release can
# fail tests that passed yesterday. Raise it on purpose, not by accident.
AXE_VERSION=4.14.1
PG_DB=vigil_test
# Kept outside the repository, so no node_modules lands in the tree and one
# download serves every checkout on the machine.
cache_dir=${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/vigil-test

caller_dir=$PWD
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root_dir=$PWD

t0=$(date +%s%N)
now() { echo $((($(date +%s%N) - t0) / 1000000)); }
step() { printf '\n==> %s  [%s ms]\n' "$*" "$(now)"; }
note() { printf '    %s\n' "$*"; }
warn() { printf '    WARNING: %s\n' "$*" >&2; }
die() {
	printf '\nERROR: %s\n' "$*" >&2
	exit 1
}
truthy() { [[ -n ${1:-} && $1 != 0 && $1 != false ]]; }
in_ci() { truthy "${CI:-}"; }
may_install() { ! truthy "${VIGIL_NO_INSTALL:-}"; }

if ! command -v go >/dev/null; then
	# The official tarball's place; CI shells often lack it on PATH.
	PATH=$PATH:/usr/local/go/bin
	command -v go >/dev/null || die "go is not installed (see https://go.dev/dl/)"
fi

# ---------------------------------------------------------------------------
step "System packages"

# pg_bindir prints the bin directory of the newest PostgreSQL installed, or
# nothing.
pg_bindir() {
	local d
	d=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
	if [[ -d $d ]]; then echo "$d"; fi
}

missing=()
[[ -n $(pg_bindir) ]] || missing+=(postgresql)
[[ -x ${VIGIL_CHROMIUM:-/usr/bin/chromium} ]] || missing+=(chromium)
# Chromium draws text with whatever fonts exist; without any, pages render
# boxes and the colour-contrast checks have nothing to measure.
[[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] || missing+=(fonts-dejavu-core)
# Arabic reports need a font with Arabic shaping (Noto Sans Arabic).
compgen -G '/usr/share/fonts/truetype/noto/NotoSansArabic*' >/dev/null || missing+=(fonts-noto-core)

if ((${#missing[@]} == 0)); then
	note "postgresql, chromium, fonts-dejavu-core and fonts-noto-core are installed"
elif may_install && command -v apt-get >/dev/null && ((EUID == 0)); then
	note "installing ${missing[*]} with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	# Wait for another apt run (an image's own setup, say) instead of
	# failing on its lock. Recommends are desktop extras; headless Chromium
	# does not need them, and they double the download.
	apt=(apt-get -o DPkg::Lock::Timeout=600 -qq)
	if ! { "${apt[@]}" update && "${apt[@]}" install -y --no-install-recommends "${missing[@]}" >/dev/null; }; then
		in_ci && die "apt-get could not install ${missing[*]}"
		warn "apt-get could not install ${missing[*]}; the tests that need them will skip"
	fi
else
	warn "missing: ${missing[*]}; the tests that need them will skip"
	warn "install them with: sudo apt-get install ${missing[*]}"
fi

# ---------------------------------------------------------------------------
step "PostgreSQL"

pg_dir=
pg_as=()
# shellcheck disable=SC2317 # called by the EXIT trap
stop_postgres() {
	[[ -n $pg_dir ]] || return 0
	# Immediate: nothing in a throwaway cluster is worth a clean shutdown.
	"${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$pg_dir"
}
trap stop_postgres EXIT
# Turn signals into an exit, so the EXIT trap removes the cluster.
trap 'exit 130' INT
trap 'exit 143' TERM

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pg_parent prints where to put the throwaway cluster: RAM (/dev/shm) when it
# has room, since on this project's VMs writing the 40 MB cluster to disk
# takes over a second and the data is thrown away anyway. Docker gives
# containers a 64 MB /dev/shm, too small for a test database, so those use
# the temporary directory.
pg_parent() {
	local free_kb
	free_kb=$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')
	if [[ -w /dev/shm && ${free_kb:-0} -gt 1048576 ]]; then
		echo /dev/shm
	else
		echo "${TMPDIR:-/tmp}"
	fi
}

# pg_template prints the path of an empty cluster made by initdb, kept in the
# cache, because copying it is several times faster than running initdb.
pg_template() {
	local tpl tmp out
	tpl=$cache_dir/pg$(basename "$(dirname "$pg_bin")")-template
	if [[ ! -d $tpl ]]; then
		# In /tmp, because user postgres cannot enter root's cache.
		tmp=$(mktemp -d -p "$(pg_parent)" vigil-pg-template.XXXXXX)
		((EUID != 0)) || chown postgres: "$tmp"
		out=$("${pg_as[@]}" "$pg_bin/initdb" -D "$tmp" -U postgres -A trust -E UTF8 \
			--locale=C.UTF-8 --no-sync 2>&1) || {
			rm -rf "$tmp"
			die "initdb failed: $out"
		}
		# Copy, then rename: a run that stops half way, or a second run
		# doing the same, never leaves a partial template behind.
		mkdir -p "$cache_dir"
		cp -a "$tmp" "$tpl.$$" && { mv -T "$tpl.$$" "$tpl" 2>/dev/null || rm -rf "$tpl.$$"; }
		rm -rf "$tmp"
	fi
	echo "$tpl"
}

start_postgres() {
	if ((EUID == 0)); then
		# PostgreSQL refuses to run as root.
		id postgres >/dev/null 2>&1 || die "user postgres does not exist (is the postgresql package installed?)"
		pg_as=(runuser -u postgres --)
	fi
	local tpl
	tpl=$(pg_template)
	pg_dir=$(mktemp -d -p "$(pg_parent)" vigil-pg.XXXXXX)
	# cp -a keeps the 0700 mode PostgreSQL insists on. The chown covers a
	# cache restored onto a machine where postgres has another uid.
	cp -a "$tpl/." "$pg_dir/"
	((EUID != 0)) || chown -R postgres: "$pg_dir"

	# A random start in 54330-54399 keeps parallel runs on one machine from
	# racing for the same port; 54329 is the development server's. A port
	# taken between the check and the start just moves us to the next one.
	local base=$((RANDOM % 70)) i port
	for ((i = 0; i < 70; i++)); do
		port=$((54330 + (base + i) % 70))
		port_in_use "$port" && continue
		if "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir" -l "$pg_dir/server.log" -w -t 60 -o \
			"-c listen_addresses=127.0.0.1 -p $port -k $pg_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
			start >/dev/null; then
			"$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$PG_DB"
			export VIGIL_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/$PG_DB?sslmode=disable"
			note "started $("$pg_bin/postgres" --version) on 127.0.0.1:$port, data in $pg_dir"
			return 0
		fi
		grep -q 'could not bind\|Address already in use' "$pg_dir/server.log" ||
			die "PostgreSQL did not start: $(tail -n 20 "$pg_dir/server.log")"
	done
	die "no free port in 54330-54399 for PostgreSQL"
}

pg_bin=$(pg_bindir)
if [[ -n ${VIGIL_TEST_POSTGRES:-} ]]; then
	note "using VIGIL_TEST_POSTGRES from the environment"
elif [[ -n $pg_bin ]]; then
	start_postgres
elif in_ci; then
	die "PostgreSQL is not installed; CI must run the PostgreSQL tests"
else
	warn "no PostgreSQL; the PostgreSQL tests will skip"
fi

# ---------------------------------------------------------------------------
step "Browser tools"

if [[ -z ${VIGIL_CHROMIUM:-} && -x /usr/bin/chromium ]]; then
	export VIGIL_CHROMIUM=/usr/bin/chromium
fi
if [[ -x ${VIGIL_CHROMIUM:-} ]]; then
	note "chromium: $VIGIL_CHROMIUM"
elif [[ -n ${VIGIL_CHROMIUM:-} ]]; then
	warn "VIGIL_CHROMIUM=$VIGIL_CHROMIUM is not an executable; the browser tests will skip (fail in CI)"
else
	warn "no Chromium; the browser tests will skip (fail in CI)"
fi

if [[ -n ${VIGIL_AXE_JS:-} ]]; then
	note "axe-core: $VIGIL_AXE_JS (from the environment)"
else
	axe_dir=$cache_dir
	axe_js=$axe_dir/node_modules/axe-core/axe.min.js
	if ! grep -qs "\"version\": \"$AXE_VERSION\"" "$axe_dir/node_modules/axe-core/package.json"; then
		if may_install && command -v npm >/dev/null; then
			note "installing axe-core@$AXE_VERSION into $axe_dir"
			mkdir -p "$axe_dir"
			if ! npm install --prefix "$axe_dir" --no-save --no-audit --no-fund --loglevel=error \
				"axe-core@$AXE_VERSION" >/dev/null; then
				in_ci && die "npm could not install axe-core@$AXE_VERSION"
				warn "npm could not install axe-core@$AXE_VERSION"
			fi
		else
			warn "axe-core@$AXE_VERSION is not in $axe_dir; install it with:"
			warn "  npm install --prefix $axe_dir axe-core@$AXE_VERSION"
		fi
	fi
	if [[ -f $axe_js ]]; then
		export VIGIL_AXE_JS=$axe_js
		note "axe-core $AXE_VERSION: $VIGIL_AXE_JS"
	else
		warn "no axe-core; accessibility checks will not run (fail in CI)"
	fi
fi

# ---------------------------------------------------------------------------
# Arguments that look like packages go to both go vet and go test, the rest
# (flags and their values) only to go test; everything after -args goes to
# the test binaries, so it must come last. When called from inside the
# repository, relative package paths are the caller's, so that
# `../scripts/test.sh .` in db/ tests db; from outside, they are the
# repository's. The script itself runs from the repository root.
pkgs=() flags=() binary_args=()
while (($#)); do
	case $1 in
	-args)
		binary_args=("$@")
		break
		;;
	. | ./* | .. | ../*)
		if [[ $caller_dir == "$root_dir"/* ]]; then
			# realpath keeps a trailing "..." pattern, which is just a name to it.
			pkgs+=("./$(realpath -m --relative-to="$root_dir" "$caller_dir/$1")")
		else
			pkgs+=("$1")
		fi
		;;
	vigil | vigil/*) pkgs+=("$1") ;;
	*) flags+=("$1") ;;
	esac
	shift
done
((${#pkgs[@]})) || pkgs=(./...)

step "go vet ${pkgs[*]}"
vet_status=0
go vet "${pkgs[@]}" || vet_status=$?

step "go test -count=1 -timeout 30m ${flags[*]} ${pkgs[*]} ${binary_args[*]}"
test_status=0
go test -count=1 -timeout 30m "${flags[@]}" "${pkgs[@]}" "${binary_args[@]}" || test_status=$?

step "Done"
((vet_status == 0)) || note "go vet FAILED (status $vet_status)"
if ((test_status == 0)); then
	note "go test passed"
else
	note "go test FAILED (status $test_status)"
fi
# go test's status decides, but a vet failure must not pass unnoticed.
((test_status != 0)) && exit "$test_status"
exit "$vet_status"
