#!/usr/bin/env bash
# Generates and builds the delta-emission benchmark input (see BENCHMARKS.md and
# benches/delta.rs): a C# class library with 20,000 static methods (200 classes
# App.C0..App.C199, 100 methods M0..M99 each, small distinct bodies), in two
# versions v1 and v2 that differ ONLY in the body of App.C42::M17 (a changed
# string literal and a changed constant), and v3: v2 plus a new method
# App.C42::Added that M17 calls (the path an edit that adds a member takes). Both are built as Debug net10.0
# libraries with the scenario template (deterministic, PathMap) and copied to
#
#   testdata/bench/bin/v1/App.dll (+ App.pdb)
#   testdata/bench/bin/v2/App.dll (+ App.pdb)
#   testdata/bench/bin/v3/App.dll (+ App.pdb)
#
# Usage: testdata/bench/generate.sh [VERSION...]   (default: v1 v2 v3)
#
# Like testdata/scenarios/build.sh, both versions are compiled in the same
# scratch folder (BENCH_BUILD_DIR, default /tmp/emit-delta-bench-build/App),
# which <PathMap> maps to /_/, so the outputs do not depend on the machine.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
template="$here/../scenarios/_template/App.csproj"
build_dir="${BENCH_BUILD_DIR:-/tmp/emit-delta-bench-build/App}"

classes=200
methods=100
changed_class=42
changed_method=17

# shellcheck source=../dotnet-build.sh
. "$here/../dotnet-build.sh"

# Writes one C# file per class into $1 for version $2 (v1, v2 or v3).
generate() { # dir version
    awk -v dir="$1" -v version="$2" -v classes="$classes" -v methods="$methods" \
        -v cc="$changed_class" -v cm="$changed_method" '
    BEGIN {
        for (c = 0; c < classes; c++) {
            file = sprintf("%s/C%d.cs", dir, c)
            printf "namespace App\n{\n    public static class C%d\n    {\n", c > file
            for (m = 0; m < methods; m++) {
                a = (c * 7 + m * 13) % 97 + 1
                b = (c * 11 + m * 3) % 89 + 2
                kind = m % 4
                if (kind == 0) {
                    # Arithmetic only.
                    printf "        public static int M%d(int x)\n        {\n", m > file
                    printf "            return x * %d + %d;\n        }\n\n", a, b > file
                } else if (kind == 1) {
                    # A string literal, a local, arithmetic and a BCL call.
                    lit = sprintf("C%d.M%d", c, m)
                    k = a
                    changed = version != "v1" && c == cc && m == cm
                    if (changed) { lit = lit " changed"; k = a + 1000 }
                    printf "        public static string M%d(int x)\n        {\n", m > file
                    printf "            string s = \"%s\";\n", lit > file
                    if (changed && version == "v3") {
                        printf "            return s + Added(x + %d).ToString();\n        }\n\n", k > file
                    } else {
                        printf "            return s + (x + %d).ToString();\n        }\n\n", k > file
                    }
                } else if (kind == 2) {
                    # Locals and a call to a method of the next class.
                    printf "        public static int M%d(int x)\n        {\n", m > file
                    printf "            int y = x + %d;\n", a > file
                    printf "            int z = y * %d;\n", b > file
                    printf "            return C%d.M%d(z) - y;\n        }\n\n", (c + 1) % classes, m - 2 > file
                } else {
                    # A loop with a long accumulator.
                    printf "        public static long M%d(int x)\n        {\n", m > file
                    printf "            long acc = %d;\n", b > file
                    printf "            for (int i = 0; i < x; i++)\n                acc += i * %d;\n", a > file
                    printf "            return acc;\n        }\n\n" > file
                }
            }
            if (version == "v3" && c == cc) {
                printf "        public static int Added(int x)\n        {\n            return x * 3 + 1;\n        }\n\n" > file
            }
            printf "    }\n}\n" > file
            close(file)
        }
    }'
}

for version in ${@:-v1 v2 v3}; do
    echo "== bench/$version"
    rm -rf "$build_dir"
    mkdir -p "$build_dir"
    cp "$template" "$build_dir/App.csproj"
    generate "$build_dir" "$version"

    debug_build "$build_dir/App.csproj" "bench/$version" || exit 1
    copy_outputs "$build_dir" "$here/bin/$version"
done
rm -rf "$build_dir"
ls -l "$here"/bin/*
echo "generate.sh: done"
