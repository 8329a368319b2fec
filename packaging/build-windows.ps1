# Build the Windows bundle: dist\snapasset-desktop\ (SnapAsset.exe opens the window with no
# console; snapasset-desktop.exe is the command line), self-test it, and pack it as
# dist\snapasset-desktop-<version>-windows-x64.zip.
#
#   powershell -ExecutionPolicy Bypass -File packaging\build-windows.ps1
#   $env:PYTHON = "C:\Python311\python.exe"; .\packaging\build-windows.ps1
#
# Use a python.org CPython 3.11+ (64-bit). The executables are unsigned: sign them with
# signtool before publishing, or SmartScreen warns on first start.
$ErrorActionPreference = "Stop"
Set-Location (Split-Path -Parent $PSScriptRoot)

function Invoke-Checked {
    param([string]$Exe, [string[]]$Arguments)
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Exe $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

$python = $env:PYTHON
if (-not $python) {
    $python = ".venv\Scripts\python.exe"
    if (-not (Test-Path $python)) { Invoke-Checked "py" @("-3", "-m", "venv", ".venv") }
}
Invoke-Checked $python @("-m", "pip", "install", "--quiet", "--upgrade", "pip")
Invoke-Checked $python @("-m", "pip", "install", "--quiet", "-e", ".[package]")

$version = (& $python -c "import snapasset_desktop; print(snapasset_desktop.__version__)").Trim()
Invoke-Checked $python @("-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
    "--distpath", "dist", "--workpath", "build\pyinstaller", "packaging\snapasset-desktop.spec")

# The bundle must start with no Python around: run it from outside the checkout without PATH help.
$bundle = (Resolve-Path "dist\snapasset-desktop").Path
Push-Location $env:TEMP
try {
    $savedPath = $env:PATH
    $env:PATH = "$env:SystemRoot\System32;$env:SystemRoot"
    Invoke-Checked "$bundle\snapasset-desktop.exe" @("--self-test")
} finally {
    $env:PATH = $savedPath
    Pop-Location
}

$archive = "dist\snapasset-desktop-$version-windows-x64.zip"
if (Test-Path $archive) { Remove-Item $archive }
Compress-Archive -Path "dist\snapasset-desktop" -DestinationPath $archive
Write-Host "Packed $archive"
