<?php
/**
 * Admin notices that survive a redirect.
 *
 * @package SellMyImages
 * @since   1.0.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * Per-user notices stored in a short-lived transient between an action and
 * the page it redirects to (Post/Redirect/Get), shown once.
 *
 * @since 1.0.0
 */
class SMI_Notices {

	/**
	 * Queues a notice for the current user's next page view.
	 *
	 * @since 1.0.0
	 *
	 * @param string $type    success|error|warning|info.
	 * @param string $message Message; may hold simple HTML (filtered with wp_kses at output).
	 */
	public static function add( string $type, string $message ): void {
		$user_id = get_current_user_id();
		if ( ! $user_id ) {
			return;
		}
		$notices   = get_transient( self::key( $user_id ) );
		$notices   = is_array( $notices ) ? $notices : array();
		$notices[] = array(
			'type'    => in_array( $type, array( 'success', 'error', 'warning', 'info' ), true ) ? $type : 'info',
			'message' => $message,
		);
		set_transient( self::key( $user_id ), $notices, 5 * MINUTE_IN_SECONDS );
	}

	/**
	 * Queues an error notice from a WP_Error.
	 *
	 * @since 1.0.0
	 *
	 * @param WP_Error $error   Error.
	 * @param string   $context What was being done, e.g. "Refund failed".
	 */
	public static function add_error( WP_Error $error, string $context ): void {
		self::add( 'error', self::error_html( $error, $context ) );
	}

	/**
	 * Takes the queued notices (they are then gone).
	 *
	 * @since 1.0.0
	 *
	 * @return array[] Each with `type` and `message`.
	 */
	public static function pull(): array {
		$user_id = get_current_user_id();
		if ( ! $user_id ) {
			return array();
		}
		$notices = get_transient( self::key( $user_id ) );
		delete_transient( self::key( $user_id ) );
		return is_array( $notices ) ? $notices : array();
	}

	/**
	 * Prints and forgets the queued notices.
	 *
	 * @since 1.0.0
	 */
	public static function render_queued(): void {
		foreach ( self::pull() as $notice ) {
			self::render( $notice['type'], $notice['message'] );
		}
	}

	/**
	 * Prints one notice.
	 *
	 * @since 1.0.0
	 *
	 * @param string $type    success|error|warning|info.
	 * @param string $message Message (simple HTML allowed).
	 * @param string $id      Optional element id.
	 * @param array  $data    Optional data-* attributes.
	 */
	public static function render( string $type, string $message, string $id = '', array $data = array() ): void {
		$attrs = '';
		foreach ( $data as $name => $value ) {
			$attrs .= sprintf( ' data-%s="%s"', esc_attr( $name ), esc_attr( $value ) );
		}
		$body = wp_kses( $message, self::allowed_html() );
		// A list cannot sit inside a paragraph: the text before it gets its own.
		$at   = strpos( $body, '<ul' );
		$body = false === $at ? '<p>' . $body . '</p>' : '<p>' . substr( $body, 0, $at ) . '</p>' . substr( $body, $at );
		printf(
			'<div%1$s class="notice notice-%2$s smi-notice smi-notice-%2$s is-dismissible"%3$s>%4$s</div>',
			$id ? ' id="' . esc_attr( $id ) . '"' : '',
			esc_attr( $type ),
			$attrs, // Escaped above.
			$body // Filtered by wp_kses above.
		);
	}

	/**
	 * HTML allowed in notices: post HTML plus the read-only link field and the progress bar.
	 *
	 * @since 1.0.0
	 *
	 * @return array
	 */
	public static function allowed_html(): array {
		$allowed             = wp_kses_allowed_html( 'post' );
		$allowed['input']    = array(
			'type'     => true,
			'readonly' => true,
			'class'    => true,
			'id'       => true,
			'value'    => true,
		);
		$allowed['progress'] = array(
			'class' => true,
			'max'   => true,
			'value' => true,
		);
		return $allowed;
	}

	/**
	 * HTML for an error: context, the daemon's message.
	 *
	 * @since 1.0.0
	 *
	 * @param WP_Error $error   Error.
	 * @param string   $context What was being done.
	 * @return string
	 */
	public static function error_html( WP_Error $error, string $context ): string {
		$data   = $error->get_error_data();
		$status = is_array( $data ) && isset( $data['status'] ) ? (int) $data['status'] : 0;
		$text   = '<strong>' . esc_html( $context ) . '</strong> ' . esc_html( $error->get_error_message() );
		if ( 409 === $status ) {
			$text .= ' ' . esc_html__( 'The job\'s current state does not allow this; reload the page to see where it is now.', 'sell-my-images' );
		} elseif ( 502 === $status ) {
			$text .= ' ' . esc_html__( 'Stripe or Upsampler did not accept the request; nothing was changed. Try again in a moment.', 'sell-my-images' );
		}
		return $text;
	}

	/**
	 * Transient key of a user's notices.
	 *
	 * @since 1.0.0
	 *
	 * @param int $user_id User ID.
	 * @return string
	 */
	private static function key( int $user_id ): string {
		return 'smi_notices_' . $user_id;
	}
}
