<?php
/**
 * Which images are for sale.
 *
 * @package SellMyImages
 * @since   1.1.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * An image is for sale only in the post that offers it, and only when:
 *
 * - it is an image attachment, and the post it is attached to (if any) is
 *   published and not password-protected;
 * - the offering post is published, not password-protected, of a public
 *   post type;
 * - that post shows it: as its featured image, in an image, cover,
 *   media-text or gallery block, with the `wp-image-{id}` class of the
 *   classic editor, in a `[gallery ids]` shortcode, through one of the
 *   image's file URLs, or with a `[smi_buy_button attachment_id]` shortcode
 *   the owner placed there. Themes showing images another way extend it with
 *   the `smi_image_shown_by_post` filter.
 *
 * So a visitor cannot buy media the site never showed (unattached uploads,
 * drafts, password-protected galleries) by guessing attachment IDs.
 *
 * @since 1.1.0
 */
class SMI_Sale_Policy {

	/**
	 * Why an image is not for sale, or true.
	 *
	 * @since 1.1.0
	 *
	 * @param int $attachment_id Attachment ID.
	 * @param int $post_id       The post offering it.
	 * @return true|WP_Error Error code says why (never shown to visitors beyond "not for sale").
	 */
	public static function check( int $attachment_id, int $post_id ) {
		$attachment = $attachment_id > 0 ? get_post( $attachment_id ) : null;
		if ( ! $attachment || 'attachment' !== $attachment->post_type || ! wp_attachment_is_image( $attachment ) ) {
			return self::refuse( 'smi_not_an_image' );
		}
		if ( $attachment->post_parent > 0 && ! self::is_public( get_post( $attachment->post_parent ) ) ) {
			return self::refuse( 'smi_not_published' );
		}
		$post = $post_id > 0 ? get_post( $post_id ) : null;
		if ( ! self::is_public( $post ) ) {
			return self::refuse( 'smi_not_published' );
		}
		if ( ! self::shown_by( $attachment_id, $post ) ) {
			return self::refuse( 'smi_not_shown' );
		}
		return true;
	}

	/**
	 * Whether a post is published, without a password, of a viewable type.
	 *
	 * @since 1.1.0
	 *
	 * @param WP_Post|null $post Post.
	 * @return bool
	 */
	public static function is_public( $post ): bool {
		return $post instanceof WP_Post
			&& 'publish' === $post->post_status
			&& '' === (string) $post->post_password
			&& is_post_type_viewable( $post->post_type );
	}

	/**
	 * Whether the post shows the image.
	 *
	 * @since 1.1.0
	 *
	 * @param int     $attachment_id Attachment ID.
	 * @param WP_Post $post          Post.
	 * @return bool
	 */
	public static function shown_by( int $attachment_id, WP_Post $post ): bool {
		$content = (string) $post->post_content;
		$shown   = (int) get_post_thumbnail_id( $post ) === $attachment_id
			|| in_array( $attachment_id, self::media_ids_of( $post ), true )
			|| 1 === preg_match( '/\bwp-image-' . $attachment_id . '\b/', $content )
			|| in_array( $attachment_id, self::shortcode_ids( $content ), true )
			|| self::mentions_a_file( $attachment_id, $content );
		/**
		 * Filters whether a post shows an image (and so may sell it).
		 *
		 * @since 1.1.0
		 *
		 * @param bool    $shown         What the plugin found.
		 * @param int     $attachment_id Attachment ID.
		 * @param WP_Post $post          The post.
		 */
		return (bool) apply_filters( 'smi_image_shown_by_post', $shown, $attachment_id, $post );
	}

	/**
	 * Attachment IDs the post's media blocks name, parsed once a request
	 * per post (a page of many images asks for each).
	 *
	 * @since 1.2.0
	 *
	 * @param WP_Post $post Post.
	 * @return int[]
	 */
	private static function media_ids_of( WP_Post $post ): array {
		static $parsed = array();
		$key           = $post->ID . ':' . md5( (string) $post->post_content );
		if ( ! isset( $parsed[ $key ] ) ) {
			$parsed[ $key ] = self::block_media_ids( parse_blocks( (string) $post->post_content ) );
		}
		return $parsed[ $key ];
	}

	/**
	 * Attachment IDs named by media blocks, nested blocks and synced
	 * patterns (core/block, published) included.
	 *
	 * @since 1.1.0
	 *
	 * @param array[] $blocks Parsed blocks.
	 * @param int[]   $seen   Synced patterns already opened (a pattern may not contain itself).
	 * @return int[]
	 */
	private static function block_media_ids( array $blocks, array $seen = array() ): array {
		$ids = array();
		foreach ( $blocks as $block ) {
			$attrs = is_array( $block['attrs'] ?? null ) ? $block['attrs'] : array();
			switch ( $block['blockName'] ?? '' ) {
				case 'core/block':
					$ref     = (int) ( $attrs['ref'] ?? 0 );
					$pattern = $ref > 0 && ! in_array( $ref, $seen, true ) ? get_post( $ref ) : null;
					if ( $pattern instanceof WP_Post && 'wp_block' === $pattern->post_type && 'publish' === $pattern->post_status ) {
						$ids = array_merge( $ids, self::block_media_ids( parse_blocks( (string) $pattern->post_content ), array_merge( $seen, array( $ref ) ) ) );
					}
					break;
				case 'core/image':
				case 'core/cover':
					$ids[] = (int) ( $attrs['id'] ?? 0 );
					break;
				case 'core/media-text':
					$ids[] = (int) ( $attrs['mediaId'] ?? 0 );
					break;
				case 'core/gallery':
					$ids = array_merge( $ids, array_map( 'intval', (array) ( $attrs['ids'] ?? array() ) ) );
					break;
			}
			if ( ! empty( $block['innerBlocks'] ) ) {
				$ids = array_merge( $ids, self::block_media_ids( $block['innerBlocks'], $seen ) );
			}
		}
		return $ids;
	}

	/**
	 * Attachment IDs in `[gallery ids="…"]` and `[smi_buy_button attachment_id="…"]`.
	 *
	 * @since 1.1.0
	 *
	 * @param string $content Post content.
	 * @return int[]
	 */
	private static function shortcode_ids( string $content ): array {
		$ids = array();
		if ( false === strpos( $content, '[' ) ) {
			return $ids;
		}
		preg_match_all( '/' . get_shortcode_regex( array( 'gallery', 'smi_buy_button' ) ) . '/', $content, $found, PREG_SET_ORDER );
		foreach ( $found as $shortcode ) {
			$atts = shortcode_parse_atts( $shortcode[3] );
			$atts = is_array( $atts ) ? $atts : array();
			if ( 'gallery' === $shortcode[2] ) {
				$ids = array_merge( $ids, wp_parse_id_list( $atts['ids'] ?? '' ) );
			} else {
				$ids[] = absint( $atts['attachment_id'] ?? 0 );
			}
		}
		return $ids;
	}

	/**
	 * Whether the content links one of the image's files (the original or a
	 * resized copy), by its path under the uploads folder, whatever host.
	 *
	 * @since 1.1.0
	 *
	 * @param int    $attachment_id Attachment ID.
	 * @param string $content       Post content.
	 * @return bool
	 */
	private static function mentions_a_file( int $attachment_id, string $content ): bool {
		$meta = wp_get_attachment_metadata( $attachment_id );
		$file = is_array( $meta ) ? (string) ( $meta['file'] ?? '' ) : '';
		if ( '' === $file ) {
			$file = (string) get_post_meta( $attachment_id, '_wp_attached_file', true );
		}
		if ( '' === $file ) {
			return false;
		}
		$dir   = dirname( $file );
		$dir   = '.' === $dir ? '' : $dir . '/';
		$names = array( basename( $file ) );
		foreach ( (array) ( $meta['sizes'] ?? array() ) as $size ) {
			if ( is_array( $size ) && ! empty( $size['file'] ) ) {
				$names[] = (string) $size['file'];
			}
		}
		if ( ! empty( $meta['original_image'] ) ) {
			$names[] = (string) $meta['original_image'];
		}
		foreach ( $names as $name ) {
			if ( false !== strpos( $content, '/' . $dir . $name ) ) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The one refusal visitors see.
	 *
	 * @since 1.1.0
	 *
	 * @param string $code Internal reason.
	 * @return WP_Error
	 */
	private static function refuse( string $code ): WP_Error {
		return new WP_Error( $code, __( 'This image is not for sale.', 'sell-my-images' ), array( 'status' => 400 ) );
	}
}
