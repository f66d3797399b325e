using MeshInABox.Storage.Provisioning;

namespace MeshInABox.Storage.Tests.Provisioning;

public sealed class StorageDurationsTests
{
    [Theory]
    [InlineData("30d", "dh", 2_592_000_000L)]
    [InlineData("12h", "dh", 43_200_000L)]
    [InlineData("30m", "dhm", 1_800_000L)]
    [InlineData("9999999d", "dhm", 863_999_913_600_000L)]
    public void Milliseconds_NumberAndUnit_IsTheDuration(string text, string units, long milliseconds)
    {
        Assert.Equal(milliseconds, StorageDurations.Milliseconds(text, units));
    }

    [Theory]
    [InlineData("30m", "dh")]
    [InlineData("0d", "dhm")]
    [InlineData("07d", "dhm")]
    [InlineData("10000000d", "dhm")]
    [InlineData("7 days", "dhm")]
    [InlineData("7D", "dhm")]
    [InlineData("-1", "dhm")]
    [InlineData("forever", "dhm")]
    [InlineData("", "dhm")]
    public void Milliseconds_NotADurationInTheUnits_IsNull(string text, string units)
    {
        Assert.Null(StorageDurations.Milliseconds(text, units));
    }
}
