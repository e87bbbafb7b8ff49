<?php
/**
 * Admin notices that survive a redirect.
 *
 * @package SellMyImages
 * @since   1.0.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * Per-user notices kept between an action and the page it redirects to
 * (Post/Redirect/Get), shown once. They are user meta, which WordPress has
 * already read for the logged-in user by the time a page is drawn, so a page
 * with nothing queued asks the database nothing (a transient would cost two
 * queries on every page). A notice older than five minutes is dropped unseen.
 *
 * @since 1.0.0
 */
class SMI_Notices {

	/**
	 * User meta key holding the queued notices.
	 *
	 * @since 1.1.0
	 * @var string
	 */
	const META = 'smi_notices';

	/**
	 * How long a queued notice waits to be shown, in seconds.
	 *
	 * @since 1.1.0
	 * @var int
	 */
	const LIFETIME = 5 * MINUTE_IN_SECONDS;

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
		$notices   = self::queued( $user_id );
		$notices[] = array(
			'type'    => in_array( $type, array( 'success', 'error', 'warning', 'info' ), true ) ? $type : 'info',
			'message' => $message,
			'at'      => time(),
		);
		update_user_meta( $user_id, self::META, $notices );
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
		if ( '' === get_user_meta( $user_id, self::META, true ) ) {
			return array(); // Nothing queued: no query, no write.
		}
		$notices = self::queued( $user_id );
		delete_user_meta( $user_id, self::META );
		return array_map(
			static fn( array $notice ): array => array(
				'type'    => $notice['type'],
				'message' => $notice['message'],
			),
			$notices
		);
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
	 * A user's queued notices younger than LIFETIME, well-formed ones only.
	 *
	 * @since 1.1.0
	 *
	 * @param int $user_id User ID.
	 * @return array[]
	 */
	private static function queued( int $user_id ): array {
		$stored = get_user_meta( $user_id, self::META, true );
		return array_values(
			array_filter(
				is_array( $stored ) ? $stored : array(),
				static fn( $notice ) => is_array( $notice )
					&& is_string( $notice['type'] ?? null ) && is_string( $notice['message'] ?? null )
					&& time() - (int) ( $notice['at'] ?? 0 ) < self::LIFETIME
			)
		);
	}
}
