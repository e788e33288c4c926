using System.Buffers.Binary;
using System.IO.Compression;

namespace Ashiato.Analysis.Tests.Reports;

/// <summary>A minimal PNG decoder for screenshots: 8-bit greyscale, RGB, grey+alpha and RGBA, non-interlaced.</summary>
public sealed class PngImage
{
    private PngImage(int width, int height, byte[] rgb)
    {
        Width = width;
        Height = height;
        Rgb = rgb;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Pixels as packed RGB bytes, row by row.</summary>
    public byte[] Rgb { get; }

    public int Pixel(int x, int y) => (Rgb[((y * Width) + x) * 3] << 16) | (Rgb[(((y * Width) + x) * 3) + 1] << 8) | Rgb[(((y * Width) + x) * 3) + 2];

    public static PngImage Decode(byte[] png)
    {
        ReadOnlySpan<byte> signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        if (png.Length < 8 || !png.AsSpan(0, 8).SequenceEqual(signature))
        {
            throw new InvalidDataException("not a PNG file");
        }

        int width = 0, height = 0, colourType = -1;
        using var idat = new MemoryStream();
        var pos = 8;
        while (pos + 8 <= png.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos));
            var type = System.Text.Encoding.ASCII.GetString(png, pos + 4, 4);
            var data = png.AsSpan(pos + 8, length);
            if (type == "IHDR")
            {
                width = (int)BinaryPrimitives.ReadUInt32BigEndian(data);
                height = (int)BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
                if (data[8] != 8 || data[12] != 0)
                {
                    throw new InvalidDataException($"unsupported PNG: bit depth {data[8]}, interlace {data[12]}");
                }

                colourType = data[9];
            }
            else if (type == "IDAT")
            {
                idat.Write(data);
            }
            else if (type == "IEND")
            {
                break;
            }

            pos += 12 + length;
        }

        var channels = colourType switch
        {
            0 => 1,
            2 => 3,
            4 => 2,
            6 => 4,
            _ => throw new InvalidDataException($"unsupported PNG colour type {colourType}"),
        };
        idat.Position = 0;
        using var z = new ZLibStream(idat, CompressionMode.Decompress);
        using var raw = new MemoryStream();
        z.CopyTo(raw);
        var bytes = raw.ToArray();
        var stride = width * channels;
        var prev = new byte[stride];
        var cur = new byte[stride];
        var rgb = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            var offset = y * (stride + 1);
            var filter = bytes[offset];
            for (var i = 0; i < stride; i++)
            {
                var x = bytes[offset + 1 + i];
                int a = i >= channels ? cur[i - channels] : 0, b = prev[i], c = i >= channels ? prev[i - channels] : 0;
                cur[i] = (byte)(filter switch
                {
                    0 => x,
                    1 => x + a,
                    2 => x + b,
                    3 => x + ((a + b) / 2),
                    4 => x + Paeth(a, b, c),
                    _ => throw new InvalidDataException($"bad PNG filter {filter} in row {y}"),
                });
            }

            for (var px = 0; px < width; px++)
            {
                var o = ((y * width) + px) * 3;
                if (channels <= 2)
                {
                    rgb[o] = rgb[o + 1] = rgb[o + 2] = cur[px * channels];
                }
                else
                {
                    rgb[o] = cur[px * channels];
                    rgb[o + 1] = cur[(px * channels) + 1];
                    rgb[o + 2] = cur[(px * channels) + 2];
                }
            }

            (prev, cur) = (cur, prev);
        }

        return new PngImage(width, height, rgb);
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
