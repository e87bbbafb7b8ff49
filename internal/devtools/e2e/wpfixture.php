<?php
/**
 * Puts an image up for sale on a site built by scripts/wp/site.sh: a
 * published post holding the image (sideloaded into the media library, so
 * WordPress writes its metadata) and the plugin's buy button.
 *
 * usage: php wpfixture.php <site-dir> <png-file> <slug> <title>
 * prints: {"post_id":…,"attachment_id":…,"image_url":"…","permalink":"…","width":…,"height":…}
 *
 * A post with the slug already there is reused, so a demo run twice sells
 * the same photo.
 *
 * @package SellMyImages
 */

if ( 'cli' !== PHP_SAPI || $argc < 5 ) {
	fwrite( STDERR, "usage: php wpfixture.php <site-dir> <png-file> <slug> <title>\n" );
	exit( 2 );
}
list( , $smi_dir, $smi_png, $smi_slug, $smi_title ) = $argv;

$_SERVER['HTTP_HOST']   = '127.0.0.1';
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['SERVER_NAME'] = '127.0.0.1';
require rtrim( $smi_dir, '/' ) . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/file.php';
require_once ABSPATH . 'wp-admin/includes/media.php';
require_once ABSPATH . 'wp-admin/includes/image.php';

wp_set_current_user( 1 );

/**
 * Prints the fixture as JSON and stops.
 *
 * @param int $post_id       Post.
 * @param int $attachment_id Attachment.
 */
function smi_fixture_done( int $post_id, int $attachment_id ): void {
	$meta = wp_get_attachment_metadata( $attachment_id );
	echo wp_json_encode(
		array(
			'post_id'       => $post_id,
			'attachment_id' => $attachment_id,
			'image_url'     => wp_get_attachment_url( $attachment_id ),
			'permalink'     => get_permalink( $post_id ),
			'width'         => (int) ( $meta['width'] ?? 0 ),
			'height'        => (int) ( $meta['height'] ?? 0 ),
		)
	) . "\n";
	exit( 0 );
}

$smi_existing = get_page_by_path( $smi_slug, OBJECT, 'post' );
if ( $smi_existing && 'publish' === $smi_existing->post_status ) {
	$smi_att = (int) get_post_meta( $smi_existing->ID, '_smi_fixture_attachment', true );
	if ( $smi_att > 0 && wp_attachment_is_image( $smi_att ) ) {
		smi_fixture_done( (int) $smi_existing->ID, $smi_att );
	}
}

$smi_post = wp_insert_post(
	array(
		'post_title'   => $smi_title,
		'post_name'    => $smi_slug,
		'post_status'  => 'draft',
		'post_type'    => 'post',
		'post_author'  => 1,
		'post_content' => '',
	),
	true
);
if ( is_wp_error( $smi_post ) ) {
	fwrite( STDERR, $smi_post->get_error_message() . "\n" );
	exit( 1 );
}

// media_handle_sideload moves the file: give it a copy.
$smi_tmp = wp_tempnam( basename( $smi_png ) );
copy( $smi_png, $smi_tmp );
$smi_att = media_handle_sideload(
	array(
		'name'     => $smi_slug . '.png',
		'tmp_name' => $smi_tmp,
	),
	$smi_post,
	$smi_title
);
if ( is_wp_error( $smi_att ) ) {
	fwrite( STDERR, 'sideload: ' . $smi_att->get_error_message() . "\n" );
	exit( 1 );
}

$smi_img = wp_get_attachment_image( $smi_att, 'large' );
wp_update_post(
	array(
		'ID'           => $smi_post,
		'post_status'  => 'publish',
		'post_content' => $smi_img . "\n\n[smi_buy_button attachment_id=\"" . (int) $smi_att . "\"]",
	)
);
update_post_meta( $smi_post, '_smi_fixture_attachment', (int) $smi_att );
smi_fixture_done( (int) $smi_post, (int) $smi_att );
