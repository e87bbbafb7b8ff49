<?php
/**
 * SMI_Client_IP: the real client behind trusted proxies.
 *
 * @package SellMyImages
 */

class Test_SMI_Client_IP extends SMI_Test_Case {

	public function test_resolve(): void {
		$proxies = array( '10.0.0.0/8', '203.0.113.7', '2001:db8:cafe::/48' );
		$cases   = array(
			'no proxy: REMOTE_ADDR'                         => array( '198.51.100.4', '', '198.51.100.4' ),
			'untrusted peer: its X-Forwarded-For is a lie'  => array( '198.51.100.4', '1.2.3.4', '198.51.100.4' ),
			'trusted proxy: the entry it appended'          => array( '10.1.2.3', '1.2.3.4, 198.51.100.9', '198.51.100.9' ),
			'two trusted hops are skipped'                  => array( '10.1.2.3', '6.6.6.6, 198.51.100.9, 203.0.113.7, 10.9.9.9', '198.51.100.9' ),
			'forged left entries never win'                 => array( '203.0.113.7', '10.0.0.1, 192.0.2.55', '192.0.2.55' ),
			'all trusted: the left-most'                    => array( '10.1.2.3', '10.0.0.9, 10.0.0.8', '10.0.0.9' ),
			'trusted without header: the proxy itself'      => array( '10.1.2.3', '', '10.1.2.3' ),
			'ports and brackets are dropped'                => array( '10.1.2.3', '[2001:db8::5]:443, 192.0.2.1:5678', '192.0.2.1' ),
			'garbage from a proxy: stop at the last good'   => array( '10.1.2.3', '192.0.2.1, not-an-ip', '10.1.2.3' ),
			'IPv6 proxy range'                              => array( '2001:db8:cafe:1::1', '2001:db8:1::77', '2001:db8:1::77' ),
			'IPv4-mapped IPv6 is IPv4'                      => array( '::ffff:10.1.2.3', '::ffff:192.0.2.8', '192.0.2.8' ),
			'a missing REMOTE_ADDR is unknown'              => array( '', '192.0.2.1', '' ),
		);
		foreach ( $cases as $name => list( $remote, $xff, $want ) ) {
			$server = array( 'REMOTE_ADDR' => $remote );
			if ( '' !== $xff ) {
				$server['HTTP_X_FORWARDED_FOR'] = $xff;
			}
			$this->assertSame( $want, SMI_Client_IP::resolve( $server, $proxies ), $name );
		}
	}

	public function test_trusted_proxies_come_from_the_option_and_drop_invalid_entries(): void {
		update_option( SMI_Client_IP::OPTION, "10.0.0.0/8\n bogus \n192.0.2.1, 10.0.0.0/33 2001:DB8::/32" );
		$this->assertSame( array( '10.0.0.0/8', '192.0.2.1', '2001:db8::/32' ), SMI_Client_IP::trusted_proxies() );
	}

	public function test_ipv6_clients_share_their_slash_64(): void {
		$this->assertSame( SMI_Client_IP::bucket( '2001:db8:1:2::1' ), SMI_Client_IP::bucket( '2001:db8:1:2:ffff::9' ) );
		$this->assertNotSame( SMI_Client_IP::bucket( '2001:db8:1:2::1' ), SMI_Client_IP::bucket( '2001:db8:1:3::1' ) );
		$this->assertSame( '192.0.2.1', SMI_Client_IP::bucket( '192.0.2.1' ) );
	}
}
