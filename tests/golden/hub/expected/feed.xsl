<?xml version="1.0" encoding="utf-8"?>
<!-- Shows an Atom or RSS feed of this site, opened in a browser, as a page that says what a feed is
     (feed readers ignore it). The page uses the site's stylesheet; it has no script. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/" exclude-result-prefixes="atom dc">
  <xsl:output method="html" encoding="utf-8" doctype-system="about:legacy-compat"/>
  <xsl:variable name="title" select="atom:feed/atom:title | rss/channel/title"/>
  <!-- a feed of tag, author or team pages (`legacy_feeds` scope: tags): its entries have no authors, a post always has one -->
  <xsl:variable name="pages" select="(atom:feed/atom:entry | rss/channel/item) and not(atom:feed/atom:entry/atom:author | rss/channel/item/dc:creator)"/>
  <xsl:template match="/">
    <html lang="en">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="color-scheme" content="light dark"/>
        <title><xsl:value-of select="$title"/> (feed) · Golden Hub</title>
        <link rel="stylesheet" href="/engineering/assets/style.css"/>
      </head>
      <body>
        <header class="site-header">
          <div class="wrap site-header__inner"><a class="site-title" href="/engineering/">Golden Hub</a></div>
        </header>
        <main id="main" class="wrap">
          <header class="page-header">
            <h1><xsl:value-of select="$title"/></h1>
            <xsl:choose>
              <xsl:when test="$pages">
                <p class="lead">This is a web feed: copy its address from the address bar into a feed reader to hear of each new page it lists. <a href="/engineering/subscribe/">Subscribe</a> lists every feed of Golden Hub.</p>
              </xsl:when>
              <xsl:otherwise>
                <p class="lead">This is a web feed: copy its address from the address bar into a feed reader to get every new post as it is published. <a href="/engineering/subscribe/">Subscribe</a> lists every feed of Golden Hub.</p>
              </xsl:otherwise>
            </xsl:choose>
          </header>
          <xsl:choose>
            <xsl:when test="$pages"><h2><xsl:value-of select="atom:feed/atom:subtitle | rss/channel/description"/></h2></xsl:when>
            <xsl:otherwise><h2>Latest posts</h2></xsl:otherwise>
          </xsl:choose>
          <ol class="archive-list">
            <xsl:for-each select="atom:feed/atom:entry">
              <li><time><xsl:value-of select="substring(atom:published | atom:updated[not(../atom:published)], 1, 10)"/></time> <a href="{atom:link[not(@rel) or @rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></li>
            </xsl:for-each>
            <xsl:for-each select="rss/channel/item">
              <li><time><xsl:value-of select="substring(pubDate, 6, 11)"/></time> <a href="{link}"><xsl:value-of select="title"/></a></li>
            </xsl:for-each>
          </ol>
        </main>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
