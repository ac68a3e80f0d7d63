# Shared by testdata/scenarios/build.sh and testdata/bench/generate.sh (source it):
# builds a prepared project folder as Debug the way both need and copies App.dll and
# App.pdb out. Directory.Build.* files of enclosing folders are ignored so that the
# outputs depend only on the project and its sources.

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# debug_build PROJECT_FILE LABEL: on failure prints the build log and returns 1.
debug_build() {
    local proj="$1" label="$2"
    local log
    log="$(dirname "$(dirname "$proj")")/build-${label//\//-}.log"
    if ! dotnet build "$proj" -c Debug --nologo \
            --disable-build-servers \
            -p:ImportDirectoryBuildProps=false \
            -p:ImportDirectoryBuildTargets=false \
            -p:ImportDirectoryPackagesProps=false \
            > "$log" 2>&1; then
        cat "$log" >&2
        echo "build of $label failed" >&2
        return 1
    fi
    rm -f "$log"
}

# copy_outputs BUILD_DIR DEST: copies the net10.0 Debug App.dll and App.pdb to DEST.
copy_outputs() {
    local out="$1/bin/Debug/net10.0"
    mkdir -p "$2"
    cp "$out/App.dll" "$out/App.pdb" "$2/"
    chmod 644 "$2/App.dll" "$2/App.pdb"
}
