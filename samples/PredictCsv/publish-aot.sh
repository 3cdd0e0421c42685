#!/usr/bin/env bash
# Publishes the PredictCsv sample with NativeAOT: one self-contained native executable, no .NET runtime needed.
#   samples/PredictCsv/publish-aot.sh                 portable x64 binary, into samples/PredictCsv/bin/aot/
#   samples/PredictCsv/publish-aot.sh native          code for this CPU's instruction sets (AVX-512 where it has it),
#                                                     into samples/PredictCsv/bin/aot-native/
# Needs the ILCompiler package (runtime.linux-x64.Microsoft.DotNet.ILCompiler, restored from NuGet; the SDK picks its
# version) and a clang for the native link (Debian: apt-get install clang). Then check the binary:
#   samples/PredictCsv/check.sh samples/PredictCsv/bin/aot/PredictCsv
set -euo pipefail
cd "$(dirname "$0")"
isa="${1:-}"
clang=$(command -v clang || ls /usr/bin/clang-[0-9]* 2>/dev/null | sort -V | tail -1 || true)
[ -n "$clang" ] || { echo "publish-aot.sh: no clang on this machine (Debian: apt-get install clang)" >&2; exit 1; }
out="bin/aot${isa:+-$isa}"
dotnet publish PredictCsv.csproj -c Release -r linux-x64 -p:PublishAot=true -p:CppCompilerAndLinker="$clang" \
  ${isa:+-p:IlcInstructionSet=$isa} -o "$out"
rm -f "$out"/*.xml   # the libraries' documentation, copied along; the binary does not need it
echo "NativeAOT binary: $(pwd)/$out/PredictCsv ($(stat -c %s "$out/PredictCsv") bytes)"
