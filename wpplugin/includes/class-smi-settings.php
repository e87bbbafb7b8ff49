<?php
/**
 * Sell My Images > Settings.
 *
 * @package SellMyImages
 * @since   1.0.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * The connection settings (used only when the wp-config.php constants are
 * absent) and the opt-in automatic buy buttons. The secret is write-only: it
 * is never printed back, and an empty submit keeps the saved one.
 *
 * @since 1.0.0
 */
class SMI_Settings {

	/**
	 * Settings group and page slug.
	 *
	 * @since 1.0.0
	 * @var string
	 */
	const PAGE = 'smi-settings';

	/**
	 * The admin-post.php action of the "Send test email" button.
	 *
	 * @since 1.2.0
	 * @var string
	 */
	const TEST_EMAIL_ACTION = 'smi_send_test_email';

	/**
	 * Owner notifications by kind, as the daemon names them; each is saved
	 * as the option smi_notify_<kind> ("1" on, "" off), which the daemon
	 * reads with the site's other options.
	 *
	 * @since 1.2.0
	 * @var string[]
	 */
	const NOTIFY_KINDS = array( 'sale', 'failed', 'dispute', 'stuck' );

	/**
	 * What get_option answers for a notification switch never saved.
	 *
	 * @since 1.2.0
	 * @var string
	 */
	const NOTIFY_UNSET = 'daemon';

	/**
	 * Daemon client (for the connection check).
	 *
	 * @since 1.0.0
	 * @var SMI_Daemon_Client
	 */
	private SMI_Daemon_Client $client;

	/**
	 * Builds the screen.
	 *
	 * @since 1.0.0
	 *
	 * @param SMI_Daemon_Client $client Daemon client.
	 */
	public function __construct( SMI_Daemon_Client $client ) {
		$this->client = $client;
	}

	/**
	 * Hooks the screen.
	 *
	 * @since 1.0.0
	 */
	public function register(): void {
		add_action( 'admin_menu', array( $this, 'add_menu' ), 20 );
		add_action( 'admin_init', array( $this, 'register_settings' ) );
		add_action( 'admin_post_' . self::TEST_EMAIL_ACTION, array( $this, 'handle_test_email' ) );
	}

	/**
	 * Whether the auto buttons option is on (used on the front end too).
	 *
	 * @since 1.0.0
	 *
	 * @return bool
	 */
	public static function auto_buttons(): bool {
		return (bool) get_option( 'smi_auto_buttons', false );
	}

	/**
	 * Adds Sell My Images > Settings.
	 *
	 * @since 1.0.0
	 */
	public function add_menu(): void {
		add_submenu_page(
			SMI_Admin_Jobs_Page::SLUG,
			__( 'Sell My Images Settings', 'sell-my-images' ),
			__( 'Settings', 'sell-my-images' ),
			'manage_options',
			self::PAGE,
			array( $this, 'render' )
		);
	}

	/**
	 * Registers the options and fields.
	 *
	 * @since 1.0.0
	 */
	public function register_settings(): void {
		register_setting(
			self::PAGE,
			'smi_daemon_url',
			array(
				'type'              => 'string',
				'default'           => '',
				'sanitize_callback' => array( $this, 'sanitize_url' ),
			)
		);
		register_setting(
			self::PAGE,
			'smi_daemon_secret',
			array(
				'type'              => 'string',
				'default'           => '',
				'sanitize_callback' => array( $this, 'sanitize_secret' ),
			)
		);
		register_setting(
			self::PAGE,
			'smi_auto_buttons',
			array(
				'type'              => 'boolean',
				'default'           => false,
				'sanitize_callback' => 'rest_sanitize_boolean',
			)
		);

		register_setting(
			self::PAGE,
			SMI_Client_IP::OPTION,
			array(
				'type'              => 'string',
				'default'           => '',
				'sanitize_callback' => array( $this, 'sanitize_proxies' ),
			)
		);

		foreach ( self::NOTIFY_KINDS as $kind ) {
			register_setting(
				self::PAGE,
				'smi_notify_' . $kind,
				array(
					'type'              => 'boolean',
					// Not a boolean: "never saved here", so that the first save
					// of an unticked box is written (update_option skips a value
					// equal to the default) and until then the daemon decides.
					'default'           => self::NOTIFY_UNSET,
					'sanitize_callback' => 'rest_sanitize_boolean',
				)
			);
		}

		add_settings_section( 'smi_connection', __( 'Connection to the daemon', 'sell-my-images' ), array( $this, 'render_connection_intro' ), self::PAGE );
		add_settings_field( 'smi_daemon_url', __( 'Daemon URL', 'sell-my-images' ), array( $this, 'render_url_field' ), self::PAGE, 'smi_connection', array( 'label_for' => 'smi-daemon-url' ) );
		add_settings_field( 'smi_daemon_secret', __( 'Shared secret', 'sell-my-images' ), array( $this, 'render_secret_field' ), self::PAGE, 'smi_connection', array( 'label_for' => 'smi-daemon-secret' ) );
		add_settings_section( 'smi_front', __( 'Buy buttons', 'sell-my-images' ), '__return_false', self::PAGE );
		add_settings_field( 'smi_auto_buttons', __( 'Automatic buttons', 'sell-my-images' ), array( $this, 'render_auto_field' ), self::PAGE, 'smi_front', array( 'label_for' => 'smi-auto-buttons' ) );
		add_settings_section( 'smi_checkout', __( 'Checkout protection', 'sell-my-images' ), '__return_false', self::PAGE );
		add_settings_field( SMI_Client_IP::OPTION, __( 'Trusted proxies', 'sell-my-images' ), array( $this, 'render_proxies_field' ), self::PAGE, 'smi_checkout', array( 'label_for' => 'smi-trusted-proxies' ) );
		add_settings_section( 'smi_notifications', __( 'Owner notifications', 'sell-my-images' ), array( $this, 'render_notifications_intro' ), self::PAGE );
		add_settings_field( 'smi_notify', __( 'Email me when', 'sell-my-images' ), array( $this, 'render_notify_field' ), self::PAGE, 'smi_notifications' );
	}

	/**
	 * Whether the owner is emailed about a kind of event: the switch saved
	 * here, else the daemon's notify.* key (from /v1/system), else on.
	 *
	 * @since 1.2.0
	 *
	 * @param string $kind One of NOTIFY_KINDS.
	 * @return bool
	 */
	public function notifies( string $kind ): bool {
		$saved = get_option( 'smi_notify_' . $kind, self::NOTIFY_UNSET );
		if ( self::NOTIFY_UNSET !== $saved ) {
			return '1' === (string) $saved || true === $saved;
		}
		$defaults = ( new SMI_Daemon_System( $this->client ) )->data()['notify_defaults'] ?? array();
		return is_array( $defaults ) && array_key_exists( $kind, $defaults ) ? (bool) $defaults[ $kind ] : true;
	}

	/**
	 * Says where owner emails go and when changes take effect.
	 *
	 * @since 1.2.0
	 */
	public function render_notifications_intro(): void {
		printf(
			'<p>%s</p>',
			esc_html(
				sprintf(
					/* translators: %s: the site's administration email address. */
					__( 'smid emails these to the site\'s administration email address (%s). The daemon reads a change within five minutes.', 'sell-my-images' ),
					(string) get_option( 'admin_email' )
				)
			)
		);
	}

	/**
	 * The four owner-notification checkboxes.
	 *
	 * @since 1.2.0
	 */
	public function render_notify_field(): void {
		$labels = array(
			'sale'    => __( 'a customer pays for an image', 'sell-my-images' ),
			'failed'  => __( 'a job fails (the customer is refunded)', 'sell-my-images' ),
			'dispute' => __( 'a customer disputes a payment', 'sell-my-images' ),
			'stuck'   => __( 'a job is stuck in processing past the upscale timeout', 'sell-my-images' ),
		);
		echo '<fieldset id="smi-notify"><legend class="screen-reader-text">' . esc_html__( 'Email me when', 'sell-my-images' ) . '</legend>';
		foreach ( self::NOTIFY_KINDS as $kind ) {
			printf(
				'<label><input type="checkbox" id="smi-notify-%1$s" name="smi_notify_%1$s" value="1" %2$s /> %3$s</label><br />',
				esc_attr( $kind ),
				checked( $this->notifies( $kind ), true, false ),
				esc_html( $labels[ $kind ] )
			);
		}
		echo '</fieldset>';
	}

	/**
	 * The admin-post.php entry point of "Send test email".
	 *
	 * @since 1.2.0
	 */
	public function handle_test_email(): void {
		$this->send_test_email( wp_unslash( $_POST ) ); // phpcs:ignore WordPress.Security.NonceVerification.Missing -- send_test_email checks the nonce.
		wp_safe_redirect( admin_url( 'admin.php?page=' . self::PAGE ) );
		exit;
	}

	/**
	 * Asks the daemon to send its test email, after the capability and nonce
	 * checks, and queues a notice saying what happened.
	 *
	 * @since 1.2.0
	 *
	 * @param array $request The submitted form.
	 */
	public function send_test_email( array $request ): void {
		if ( ! current_user_can( 'manage_options' ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to change Sell My Images settings.', 'sell-my-images' ), '', array( 'response' => 403 ) );
		}
		if ( ! wp_verify_nonce( (string) ( $request['_wpnonce'] ?? '' ), self::TEST_EMAIL_ACTION ) ) {
			wp_die( esc_html__( 'The link you followed has expired.', 'sell-my-images' ), '', array( 'response' => 403 ) );
		}
		$to = sanitize_email( (string) ( $request['smi_test_to'] ?? '' ) );
		if ( '' !== trim( (string) ( $request['smi_test_to'] ?? '' ) ) && '' === $to ) {
			SMI_Notices::add( 'error', esc_html__( 'The test email was not sent: that is not an email address.', 'sell-my-images' ) );
			return;
		}
		$answer = $this->client->post( '/v1/mail/test', '' === $to ? array() : array( 'to' => $to ), array( 'timeout' => 30 ) );
		if ( is_wp_error( $answer ) ) {
			SMI_Notices::add_error( $answer, __( 'The test email was not sent.', 'sell-my-images' ) );
			return;
		}
		SMI_Notices::add(
			'success',
			esc_html(
				sprintf(
					/* translators: %s: email address. */
					__( 'Test email sent to %s: the mail server accepted it.', 'sell-my-images' ),
					(string) ( $answer['to'] ?? $to )
				)
			)
		);
	}

	/**
	 * The "Send test email" form (apart from the settings form, which it
	 * cannot sit inside).
	 *
	 * @since 1.2.0
	 */
	private function render_test_email_form(): void {
		echo '<h2>' . esc_html__( 'Test email', 'sell-my-images' ) . '</h2>';
		echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '" id="smi-test-email-form">';
		echo '<input type="hidden" name="action" value="' . esc_attr( self::TEST_EMAIL_ACTION ) . '" />';
		wp_nonce_field( self::TEST_EMAIL_ACTION );
		printf(
			'<p><label for="smi-test-to">%1$s</label> <input type="email" class="regular-text" id="smi-test-to" name="smi_test_to" value="%2$s" /></p><p class="description">%3$s</p>',
			esc_html__( 'Send to', 'sell-my-images' ),
			esc_attr( (string) get_option( 'admin_email' ) ),
			esc_html__( 'smid sends a short message through its configured mail server, as it sends delivery links.', 'sell-my-images' )
		);
		submit_button( __( 'Send test email', 'sell-my-images' ), 'secondary', 'smi-send-test-email' );
		echo '</form>';
	}

	/**
	 * Keeps the valid addresses and CIDR ranges, one per line, and says which were dropped.
	 *
	 * @since 1.1.0
	 *
	 * @param mixed $value Submitted value.
	 * @return string
	 */
	public function sanitize_proxies( $value ): string {
		$entries = preg_split( '/[\s,]+/', (string) $value, -1, PREG_SPLIT_NO_EMPTY );
		$valid   = SMI_Client_IP::parse_list( $entries );
		$dropped = array_diff( array_map( 'strtolower', $entries ), $valid );
		if ( $dropped ) {
			add_settings_error(
				SMI_Client_IP::OPTION,
				'smi_bad_proxy',
				sprintf(
					/* translators: %s: the entries that were dropped, comma-separated. */
					__( 'These trusted proxies are not IP addresses or CIDR ranges and were dropped: %s', 'sell-my-images' ),
					implode( ', ', array_map( 'sanitize_text_field', $dropped ) )
				)
			);
		}
		return implode( "\n", $valid );
	}

	/**
	 * The trusted proxies field.
	 *
	 * @since 1.1.0
	 */
	public function render_proxies_field(): void {
		$help = esc_html__( 'Only when visitors reach WordPress through a CDN or reverse proxy: its addresses or CIDR ranges, one per line. The checkout rate limit then counts each visitor by the X-Forwarded-For entry those proxies add; other X-Forwarded-For values are ignored.', 'sell-my-images' );
		if ( defined( 'SMI_TRUSTED_PROXIES' ) ) {
			printf(
				'<code id="smi-trusted-proxies">%1$s</code><p class="description">%2$s</p>',
				esc_html( implode( ', ', SMI_Client_IP::parse_list( SMI_TRUSTED_PROXIES ) ) ),
				esc_html__( 'Set by SMI_TRUSTED_PROXIES in wp-config.php.', 'sell-my-images' )
			);
			return;
		}
		printf(
			'<textarea class="regular-text code" rows="3" id="smi-trusted-proxies" name="%1$s" placeholder="%2$s">%3$s</textarea><p class="description">%4$s</p>',
			esc_attr( SMI_Client_IP::OPTION ),
			esc_attr( "173.245.48.0/20\n2400:cb00::/32" ),
			esc_textarea( (string) get_option( SMI_Client_IP::OPTION, '' ) ),
			$help // Escaped above.
		);
	}

	/**
	 * Accepts http(s)://host[:port] or unix:///absolute/path; anything else keeps the old value.
	 *
	 * @since 1.0.0
	 *
	 * @param mixed $value Submitted value.
	 * @return string
	 */
	public function sanitize_url( $value ): string {
		$value = trim( sanitize_text_field( (string) $value ) );
		if ( '' === $value ) {
			return '';
		}
		$secret_hidden = defined( 'SMI_DAEMON_SECRET' ) && '' !== (string) SMI_DAEMON_SECRET;
		if ( ( preg_match( '#^unix:///[^\s]+$#', $value ) || preg_match( '#^https?://[A-Za-z0-9.\-\[\]:]+(?::\d+)?/?$#', $value ) ) && ! self::would_send_the_secret_away( $value, $secret_hidden ) ) {
			return untrailingslashit( $value );
		}
		if ( self::would_send_the_secret_away( $value, $secret_hidden ) ) {
			add_settings_error( 'smi_daemon_url', 'smi_secret_away', __( 'The daemon secret is set in wp-config.php, so the daemon URL set here must be on this machine or a private network (an IP address, or localhost). For another host, set SMI_DAEMON_URL in wp-config.php too. The previous value was kept.', 'sell-my-images' ) );
			return (string) get_option( 'smi_daemon_url', '' );
		}
		add_settings_error( 'smi_daemon_url', 'smi_bad_url', __( 'The daemon URL must look like http://127.0.0.1:8787 or unix:///run/smid/smid.sock. The previous value was kept.', 'sell-my-images' ) );
		return (string) get_option( 'smi_daemon_url', '' );
	}

	/**
	 * Whether a URL saved here would send a secret kept in wp-config.php
	 * (out of the admins' sight) to a host outside this machine and its
	 * private network: a public name or address. Only loopback and private
	 * addresses, localhost and Unix sockets may carry it; another host
	 * needs SMI_DAEMON_URL in wp-config.php as well.
	 *
	 * @since 1.2.0
	 *
	 * @param string $url           Submitted URL.
	 * @param bool   $secret_hidden Whether the secret comes from SMI_DAEMON_SECRET.
	 * @return bool
	 */
	public static function would_send_the_secret_away( string $url, bool $secret_hidden ): bool {
		if ( ! $secret_hidden || 0 === strpos( $url, 'unix://' ) ) {
			return false;
		}
		$host = trim( (string) wp_parse_url( $url, PHP_URL_HOST ), '[]' );
		if ( 'localhost' === strtolower( $host ) ) {
			return false;
		}
		if ( false === filter_var( $host, FILTER_VALIDATE_IP ) ) {
			return true; // A name: where it points is up to DNS.
		}
		return false !== filter_var( $host, FILTER_VALIDATE_IP, FILTER_FLAG_NO_PRIV_RANGE | FILTER_FLAG_NO_RES_RANGE );
	}

	/**
	 * An empty submit keeps the saved secret; the secret is never shown.
	 *
	 * @since 1.0.0
	 *
	 * @param mixed $value Submitted value.
	 * @return string
	 */
	public function sanitize_secret( $value ): string {
		$value = trim( (string) $value );
		if ( '' === $value ) {
			return (string) get_option( 'smi_daemon_secret', '' );
		}
		return preg_replace( '/[\x00-\x20\x7f]/', '', $value );
	}

	/**
	 * Intro of the connection section.
	 *
	 * @since 1.0.0
	 */
	public function render_connection_intro(): void {
		echo '<p>' . esc_html__( 'WordPress talks to the smid daemon, which owns the jobs. Defining SMI_DAEMON_URL and SMI_DAEMON_SECRET in wp-config.php overrides these fields.', 'sell-my-images' ) . '</p>';
	}

	/**
	 * The URL field.
	 *
	 * @since 1.0.0
	 */
	public function render_url_field(): void {
		if ( defined( 'SMI_DAEMON_URL' ) && '' !== (string) SMI_DAEMON_URL ) {
			printf(
				'<code id="smi-daemon-url">%1$s</code><p class="description">%2$s</p>',
				esc_html( (string) SMI_DAEMON_URL ),
				esc_html__( 'Set by SMI_DAEMON_URL in wp-config.php.', 'sell-my-images' )
			);
			return;
		}
		printf(
			'<input type="text" class="regular-text code" id="smi-daemon-url" name="smi_daemon_url" value="%1$s" placeholder="%2$s" /><p class="description">%3$s</p>',
			esc_attr( (string) get_option( 'smi_daemon_url', '' ) ),
			esc_attr( SMI_Daemon_Client::DEFAULT_URL ),
			esc_html__( 'http://127.0.0.1:8787, or unix:///path/to/smid.sock for a unix socket.', 'sell-my-images' )
		);
	}

	/**
	 * The write-only secret field.
	 *
	 * @since 1.0.0
	 */
	public function render_secret_field(): void {
		if ( defined( 'SMI_DAEMON_SECRET' ) && '' !== (string) SMI_DAEMON_SECRET ) {
			echo '<p id="smi-daemon-secret">' . esc_html__( 'Set by SMI_DAEMON_SECRET in wp-config.php.', 'sell-my-images' ) . '</p>';
			return;
		}
		$saved = '' !== (string) get_option( 'smi_daemon_secret', '' );
		printf(
			'<input type="password" class="regular-text" id="smi-daemon-secret" name="smi_daemon_secret" value="" autocomplete="new-password" placeholder="%1$s" /><p class="description">%2$s</p>',
			esc_attr( $saved ? __( 'Saved (leave empty to keep it)', 'sell-my-images' ) : '' ),
			esc_html__( 'The same value as api.secret in smid\'s configuration. It is never shown again once saved.', 'sell-my-images' )
		);
	}

	/**
	 * The automatic buttons checkbox.
	 *
	 * @since 1.0.0
	 */
	public function render_auto_field(): void {
		printf(
			'<label><input type="checkbox" id="smi-auto-buttons" name="smi_auto_buttons" value="1" %1$s /> %2$s</label><p class="description">%3$s</p>',
			checked( self::auto_buttons(), true, false ),
			esc_html__( 'Add a "Download Hi-Res" button under every image block of published posts.', 'sell-my-images' ),
			esc_html__( 'Without this, place buttons yourself with the [smi_buy_button attachment_id="123"] shortcode.', 'sell-my-images' )
		);
	}

	/**
	 * Prints the screen, with a live connection check.
	 *
	 * @since 1.0.0
	 */
	public function render(): void {
		if ( ! current_user_can( 'manage_options' ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to change Sell My Images settings.', 'sell-my-images' ), '', array( 'response' => 403 ) );
		}
		echo '<div class="wrap" id="smi-settings">';
		echo '<h1>' . esc_html__( 'Sell My Images Settings', 'sell-my-images' ) . '</h1>';
		echo '<hr class="wp-header-end" />';
		$this->render_connection_status();
		SMI_Notices::render_queued();
		settings_errors();
		echo '<form method="post" action="' . esc_url( admin_url( 'options.php' ) ) . '" id="smi-settings-form">';
		settings_fields( self::PAGE );
		do_settings_sections( self::PAGE );
		submit_button();
		echo '</form>';
		$this->render_test_email_form();
		echo '</div>';
	}

	/**
	 * Shows whether the daemon answers right now.
	 *
	 * @since 1.0.0
	 */
	private function render_connection_status(): void {
		$system = $this->client->get( '/v1/system', array(), array( 'timeout' => 5 ) );
		if ( is_wp_error( $system ) ) {
			SMI_Notices::render( 'error', SMI_Notices::error_html( $system, __( 'No connection to the daemon.', 'sell-my-images' ) ), 'smi-connection-status' );
			return;
		}
		$message = sprintf(
			/* translators: 1: daemon version, 2: Stripe mode (test or live). */
			__( 'Connected to smid %1$s (Stripe %2$s mode).', 'sell-my-images' ),
			(string) ( $system['version'] ?? '?' ),
			(string) ( $system['stripe_mode'] ?? '?' )
		);
		$current = ! empty( $system['schema']['current'] );
		if ( ! $current ) {
			$message .= ' ' . __( 'Its database schema is not current: run smid\'s migrations.', 'sell-my-images' );
		}
		SMI_Notices::render( $current ? 'success' : 'warning', esc_html( $message ), 'smi-connection-status' );
	}
}
