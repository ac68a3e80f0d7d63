#!/usr/bin/env bash
# Generates and builds the F# matching benchmark input (see BENCHMARKS.md and
# benches/delta.rs): an F# library of 500 module functions Bench.Closures.f0..f499,
# each with four closures (2,000 closure classes, named after their source line:
# `a@5`, `b@6`, `f0@7`, `f0@7-1`; two of each function share a stem), in two versions:
#
#   v1: the generated file;
#   v2: the same file with one comment line inserted at the top, so every closure
#       class, every debug helper and every sequence point moves one line down and
#       no IL changes.
#
# Both are built as Debug net10.0 libraries with the scenario template (deterministic,
# PathMap) and copied to testdata/bench-fs/bin/v1 and bin/v2 (App.dll + App.pdb).
#
# Usage: testdata/bench-fs/generate.sh
#
# Both versions are compiled in the same scratch folder (BENCH_FS_BUILD_DIR, default
# /tmp/emit-delta-bench-fs-build/App), which <PathMap> maps to /_/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
template="$here/../scenarios/_template/App.fsproj"
build_dir="${BENCH_FS_BUILD_DIR:-/tmp/emit-delta-bench-fs-build/App}"
functions=500

# shellcheck source=../dotnet-build.sh
. "$here/../dotnet-build.sh"

# Writes Program.fs into $1 for version $2 (v1 or v2).
generate() { # dir version
    awk -v version="$2" -v functions="$functions" '
    BEGIN {
        print "module Bench.Closures"
        if (version == "v2") print "// one line inserted at the top"
        print ""
        for (f = 0; f < functions; f++) {
            printf "let f%d (xs: int list) =\n", f
            printf "    let a = List.map (fun x -> x + %d) xs\n", f
            printf "    let b = List.filter (fun x -> x %% 3 <> %d) a\n", f % 3
            printf "    List.fold (fun acc x -> acc + x * %d) 0 b + List.sumBy (fun x -> x - %d) b\n", f % 7 + 2, f % 5
            print ""
        }
    }' > "$1/Program.fs"
}

for version in v1 v2; do
    echo "== bench-fs/$version"
    rm -rf "$build_dir"
    mkdir -p "$build_dir"
    cp "$template" "$build_dir/App.fsproj"
    generate "$build_dir" "$version"
    debug_build "$build_dir/App.fsproj" "bench-fs/$version" || exit 1
    copy_outputs "$build_dir" "$here/bin/$version"
done
rm -rf "$build_dir"
ls -l "$here"/bin/v1 "$here"/bin/v2
echo "generate.sh: done"
