#!/usr/bin/env bash
# Sourced by the fixture scripts here: run_at COMMIT OUTPUT builds that commit's library in a temporary folder and
# runs the program read from standard input (top-level C# that references FastNN and writes args[0]) with OUTPUT as its argument.
run_at() {
  local commit=$1 output=$2
  local here repo work
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  repo=$(git -C "$here" rev-parse --show-toplevel)
  work=$(mktemp -d)
  trap "rm -rf '$work'" EXIT
  git -C "$repo" archive "$commit" Directory.Build.props Directory.Packages.props src | tar -x -C "$work"
  mkdir "$work/gen"
  cat > "$work/gen/gen.csproj" <<'PROJ'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><IsPackable>false</IsPackable></PropertyGroup>
  <ItemGroup><ProjectReference Include="../src/FastNN/FastNN.csproj" /></ItemGroup>
</Project>
PROJ
  cat > "$work/gen/Program.cs"
  dotnet run -c Release --project "$work/gen/gen.csproj" -- "$output"
}
