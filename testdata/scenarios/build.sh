#!/usr/bin/env bash
# Rebuilds the committed scenario binaries: for each scenario (a folder with a
# scenario.json) and each of its versions, compiles that version's sources as a
# Debug build from the templates in _template/ and copies App.dll + App.pdb to
# <scenario>/bin/<version>/. F# scenarios also refresh _shared/FSharp.Core.dll.
#
# Usage: testdata/scenarios/build.sh [SCENARIO_NAME]...   (default: all)
#
# Every build happens in the same scratch folder (SCENARIO_BUILD_DIR, default
# /tmp/emit-delta-scenario-build/App), which <PathMap> maps to /_/, so the
# outputs do not depend on the machine or the checkout location. Keep the
# default: the F# compiler sizes the padding of the CodeView debug-directory
# entry from the unmapped PDB path, so F# App.dll bytes (not their content)
# change with the length of the scratch path. C# outputs do not.
#
# Tests rebuild edited copies of scenarios elsewhere with two more variables:
# SCENARIO_ROOT, the folder holding the scenario folders (default: this one; the
# bin/ folders and _shared/ are written there), and SCENARIO_VERSIONS, the versions
# to build (space-separated, default: each scenario.json's list).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="${SCENARIO_ROOT:-$here}"
build_dir="${SCENARIO_BUILD_DIR:-/tmp/emit-delta-scenario-build/App}"
shared="$root/_shared"

# Print the JSON string array value of KEY from a one-key-per-line scenario.json.
json_array() { # file key
    tr -d '\n' < "$1" | grep -o "\"$2\"[[:space:]]*:[[:space:]]*\[[^]]*\]" \
        | sed -e 's/^[^[]*\[//' -e 's/\]$//' | grep -o '"[^"]*"' | tr -d '"'
}
json_string() { # file key
    tr -d '\n' < "$1" | grep -o "\"$2\"[[:space:]]*:[[:space:]]*\"[^\"]*\"" \
        | sed -e 's/.*:[[:space:]]*"//' -e 's/"$//'
}

if [ "$#" -gt 0 ]; then
    scenarios=("$@")
else
    scenarios=()
    for d in "$root"/*/; do
        name="$(basename "$d")"
        [ -f "$d/scenario.json" ] && scenarios+=("$name")
    done
fi

# shellcheck source=../dotnet-build.sh
. "$here/../dotnet-build.sh"

for name in "${scenarios[@]}"; do
    dir="$root/$name"
    json="$dir/scenario.json"
    [ -f "$json" ] || { echo "build.sh: $json not found" >&2; exit 1; }
    language="$(json_string "$json" language)"
    case "$language" in
        csharp) proj=App.csproj ;;
        fsharp) proj=App.fsproj ;;
        visualbasic) proj=App.vbproj ;;
        *) echo "build.sh: $name: unknown language '$language'" >&2; exit 1 ;;
    esac

    for version in ${SCENARIO_VERSIONS:-$(json_array "$json" versions)}; do
        echo "== $name/$version ($language)"
        [ -d "$dir/$version" ] || { echo "build.sh: $dir/$version missing" >&2; exit 1; }
        rm -rf "$build_dir"
        mkdir -p "$build_dir"
        cp "$here/_template/$proj" "$build_dir/$proj"
        cp -R "$dir/$version/." "$build_dir/"

        debug_build "$build_dir/$proj" "$name/$version" || exit 1
        copy_outputs "$build_dir" "$dir/bin/$version"
        out="$build_dir/bin/Debug/net10.0"

        if [ "$language" = fsharp ]; then
            mkdir -p "$shared"
            if ! cmp -s "$out/FSharp.Core.dll" "$shared/FSharp.Core.dll"; then
                cp "$out/FSharp.Core.dll" "$shared/FSharp.Core.dll"
                chmod 644 "$shared/FSharp.Core.dll"
                echo "   updated _shared/FSharp.Core.dll"
            fi
        fi
    done
done
rm -rf "$build_dir"
echo "build.sh: done"
