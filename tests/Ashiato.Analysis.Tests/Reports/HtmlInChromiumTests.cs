using System.Diagnostics;
using System.Text.RegularExpressions;
using Ashiato.Analysis.Reports.Rendering;
using Xunit.Abstractions;

namespace Ashiato.Analysis.Tests.Reports;

/// <summary>
/// The HTML report opened in headless Chromium: it parses with its SVG charts intact, logs no console or page errors, and
/// its screenshot shows the report (not a blank page). Needs <c>chromium</c> (scripts/test.sh installs it); without it the
/// test fails under CI (<c>CI=true</c>) and passes with a message locally.
/// </summary>
public sealed class HtmlInChromiumTests(ITestOutputHelper output)
{
    private static readonly TimeSpan _timeout = TimeSpan.FromSeconds(90);

    public static string? FindChromium()
    {
        foreach (var name in new[] { Environment.GetEnvironmentVariable("ASHIATO_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" })
        {
            if (!string.IsNullOrEmpty(name) && File.Exists(name))
            {
                return name;
            }
        }

        return null;
    }

    [Theory]
    [InlineData("thefts", 4)]
    [InlineData("incident-inc-2018-jp", 3)]
    public void Html_report_renders_in_headless_chromium(string report, int charts)
    {
        var chromium = FindChromium();
        if (chromium is null)
        {
            Assert.False(Environment.GetEnvironmentVariable("CI") is "true" or "1",
                "chromium is not installed: scripts/test.sh installs it (requirement chromium:chromium); the HTML report cannot be checked");
            output.WriteLine("SKIPPED: chromium not found (install it with apt-get install chromium, or set ASHIATO_CHROMIUM); not checked.");
            return;
        }

        var dir = Directory.CreateTempSubdirectory("ashiato-report-html-");
        var started = Stopwatch.StartNew();
        try
        {
            var html = Path.Combine(dir.FullName, report + ".html");
            File.WriteAllText(html, HtmlRenderer.Render(ReportGoldenTests.Document(report)));

            // 1. The DOM after parsing: the SVG charts and their shapes survive, nothing is reported on the console.
            var (dom, domErr) = Run(chromium, dir.FullName, ["--dump-dom", new Uri(html).AbsoluteUri]);
            Assert.Equal(charts, Regex.Count(dom, "<svg[ >]"));
            Assert.Contains("<path class=\"ribbon\"", dom, StringComparison.Ordinal);
            Assert.True(Regex.Count(dom, "<rect ") >= 8, "the charts lost their bars");
            Assert.Contains("id=\"methodology\"", dom, StringComparison.Ordinal);
            AssertNoConsoleErrors(domErr);

            // 2. The screenshot: a real picture of the report (decoded: many colours, much of the page drawn), not a blank page.
            var shot = Path.Combine(dir.FullName, report + ".png");
            var (_, shotErr) = Run(chromium, dir.FullName, ["--screenshot=" + shot, "--window-size=1280,2600", "--hide-scrollbars", new Uri(html).AbsoluteUri]);
            AssertNoConsoleErrors(shotErr);
            Assert.True(File.Exists(shot), "chromium wrote no screenshot; stderr:\n" + shotErr);
            var image = PngImage.Decode(File.ReadAllBytes(shot));
            Assert.Equal((1280, 2600), (image.Width, image.Height));
            var colours = new HashSet<int>();
            var nonWhite = 0;
            for (var y = 0; y < image.Height; y += 2)
            {
                for (var x = 0; x < image.Width; x += 2)
                {
                    var p = image.Pixel(x, y);
                    colours.Add(p);
                    nonWhite += p == 0xFFFFFF ? 0 : 1;
                }
            }

            output.WriteLine($"{report}: chromium runs took {started.Elapsed.TotalSeconds:F0} s; {colours.Count} colours, {nonWhite} non-white sampled pixels, screenshot {new FileInfo(shot).Length} bytes");
            Assert.True(colours.Count > 50, $"the screenshot has only {colours.Count} colours");
            Assert.True(nonWhite > image.Width * image.Height / 4 / 20, $"the screenshot is nearly empty ({nonWhite} non-white sampled pixels)");
            var top = Enumerable.Range(0, 400).SelectMany(y => Enumerable.Range(0, image.Width).Select(x => image.Pixel(x, y))).Distinct().Count();
            Assert.True(top > 20, "the top of the page (title, key figures) is blank");
            var keep = Environment.GetEnvironmentVariable("ASHIATO_REPORT_SCREENSHOTS");
            if (!string.IsNullOrEmpty(keep))
            {
                Directory.CreateDirectory(keep);
                File.Copy(shot, Path.Combine(keep, report + ".png"), true);
            }
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void Console_check_catches_a_script_error()
    {
        var chromium = FindChromium();
        if (chromium is null)
        {
            Assert.False(Environment.GetEnvironmentVariable("CI") is "true" or "1", "chromium is not installed: scripts/test.sh installs it");
            output.WriteLine("SKIPPED: chromium not found; not checked.");
            return;
        }

        var dir = Directory.CreateTempSubdirectory("ashiato-report-html-");
        try
        {
            var page = Path.Combine(dir.FullName, "bad.html");
            File.WriteAllText(page, "<!DOCTYPE html><html><body><script>undefinedThing.call()</script></body></html>");
            var (_, stderr) = Run(chromium, dir.FullName, ["--dump-dom", new Uri(page).AbsoluteUri]);
            Assert.NotEmpty(ConsoleErrors(stderr));
        }
        finally
        {
            dir.Delete(true);
        }
    }

    private static void AssertNoConsoleErrors(string stderr)
    {
        var bad = ConsoleErrors(stderr);
        Assert.True(bad.Count == 0, "console errors:\n" + string.Join("\n", bad));
    }

    private static List<string> ConsoleErrors(string stderr)
    {
        return stderr.Split('\n').Where(l => l.Contains("Uncaught", StringComparison.Ordinal) || l.Contains(":CONSOLE", StringComparison.Ordinal)
            || l.Contains("Failed to load resource", StringComparison.Ordinal) || l.Contains("ERR_FILE_NOT_FOUND", StringComparison.Ordinal)).ToList();
    }

    /// <summary>Runs chromium headless with its own profile in <paramref name="dir"/>; stdout and stderr; stopped by PID on timeout.</summary>
    private static (string Stdout, string Stderr) Run(string chromium, string dir, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(chromium)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[]
                 {
                     "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                     "--disable-background-networking", "--disable-component-update", "--enable-logging=stderr", "--v=0",
                     "--user-data-dir=" + Path.Combine(dir, "profile"), "--virtual-time-budget=5000",
                 }.Concat(args))
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + chromium);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(_timeout))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"chromium did not finish in {_timeout.TotalSeconds} s");
        }

        p.WaitForExit();
        return (stdout.Result, stderr.Result);
    }
}
